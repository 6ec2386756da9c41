#!/usr/bin/env bash
# Lint, install the addons with demo data on a fresh database, run all their
# Odoo tests through pytest-odoo, drop the database. Never skips Odoo tests:
# a missing Odoo, PostgreSQL or Chromium is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh

ADDONS=${ADDONS:-crm_case_sections}
DB=${TEST_DB:-ccs_test_$(date +%s)_$$}
LOG=$(mktemp -t ccs-install.XXXX.log)
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -f "$LOG"; }
trap cleanup EXIT

if [[ -z "${SKIP_LINT:-}" ]]; then bash tools/lint.sh; fi

started=$(date +%s)
echo "test: installing $ADDONS with demo data on the new database $DB"
createdb "$DB"
if ! "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
        -i "$ADDONS" --stop-after-init --log-level=warn --http-port=0 >"$LOG" 2>&1; then
    cat "$LOG"; echo "error: installing $ADDONS failed." >&2; exit 1
fi
if grep -E " (WARNING|ERROR|CRITICAL) .*(crm_case_sections|Traceback)" "$LOG"; then
    echo "error: installing $ADDONS logged the warnings above." >&2; exit 1
fi

# test-enable puts Odoo in test mode; test-tags=-standard keeps its registry
# loader from running every installed module's tests itself: pytest collects.
"$VENV/bin/python" -m pytest -p no:cacheprovider \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" \
    --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
    --odoo-extra=test-enable --odoo-extra=test-tags=-standard \
    --odoo-extra="http-port=${TEST_HTTP_PORT:-8169}" \
    "$@" $(for addon in $ADDONS; do echo "$addon/tests"; done | tr ',' ' ')
echo "test: done in $(( $(date +%s) - started )) s"
