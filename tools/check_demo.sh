#!/usr/bin/env bash
# Check that `make run` (and `make run LANG=es`) give a newcomer the demo it
# promises, on a throwaway database created exactly as `make run` creates its
# own; `make test` runs it. CHECK_DB=name keeps that database.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
DB=${CHECK_DB:-ccs_demo_check_$(date +%s)_$$}
[[ -n "${CHECK_DB:-}" ]] || trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
check() {  # language the demo users must speak
    CHECK_LANG=$1 "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH" \
        -d "$DB" --log-level=warn --no-http <tools/check_demo.py
}
started=$(date +%s)
RUN_DB=$DB RUN_PREPARE_ONLY=1 RUN_LANG= bash tools/run.sh
check en_US
RUN_DB=$DB RUN_PREPARE_ONLY=1 RUN_LANG=es bash tools/run.sh
check es_ES
echo "check: make run and make run LANG=es checked in $(( $(date +%s) - started )) s"
