#!/usr/bin/env bash
# Odoo's Python shell (`odoo-bin shell`) on the database of `make run`, with
# `env` as the superuser; a script given on stdin is run, then the shell ends.
#   RUN_DB=name   another database (default crm_case_sections)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh
DB=${RUN_DB:-crm_case_sections}
psql -lqt | cut -d'|' -f1 | grep -qw "$DB" || die "no database $DB yet: run 'make run' (or 'make demo-db') first."
exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH" -d "$DB" \
    --no-http --log-level=warn
