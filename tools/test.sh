#!/usr/bin/env bash
# Lint, check the demo of `make run`, install the addons with demo data on a
# fresh database, run all their Odoo tests through pytest-odoo, drop the
# database. SKIP_LINT=1 and SKIP_DEMO_CHECK=1 leave out the first two. Never
# skips Odoo tests: a missing Odoo, PostgreSQL or Chromium is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh

ADDON=crm_case_sections
BRIDGE=crm_case_sections_purchase
ADDONS=$ADDON,$BRIDGE
DB=${TEST_DB:-ccs_test_$(date +%s)_$$}
LOG=$(mktemp -t ccs-install.XXXX.log)
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -f "$LOG"; }
trap cleanup EXIT

if [[ -z "${SKIP_LINT:-}" ]]; then
    bash tools/lint.sh
    # the .pot must match a fresh export, es.po must translate all of it
    bash tools/i18n.sh --check
fi
if [[ -z "${SKIP_DEMO_CHECK:-}" ]]; then
    # make run and make run LANG=es, on a database of their own
    bash tools/check_demo.sh
fi

# Install (-i) or update (-u) modules; fail on any warning the addons log.
odoo_step() {  # -i|-u, modules, what it is called in messages
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
        "$1" "$2" --stop-after-init --log-level=warn --http-port=0 >"$LOG" 2>&1 \
        || { cat "$LOG"; echo "error: $3 $2 failed." >&2; exit 1; }
    if grep -E " (WARNING|ERROR|CRITICAL) .*(crm_case_sections|Traceback)" "$LOG"; then
        echo "error: $3 $2 logged the warnings above." >&2; exit 1
    fi
}
module_state() { psql -d "$DB" -tAc "select state from ir_module_module where name = '$1'"; }

started=$(date +%s)
echo "test: installing $ADDON with demo data on the new database $DB"
createdb "$DB"
odoo_step -i "$ADDON" installing
# The Purchase bridge waits for Purchase, then installs itself.
if [[ "$(module_state "$BRIDGE")" == installed ]]; then
    echo "error: $BRIDGE got installed without Purchase." >&2; exit 1
fi
echo "test: installing purchase, which must bring $BRIDGE"
odoo_step -i purchase installing
if [[ "$(module_state "$BRIDGE")" != installed ]]; then
    echo "error: installing purchase did not auto-install $BRIDGE." >&2; exit 1
fi

# Updating the addon twice must keep what users changed and log no warning.
snapshot() {
    psql -d "$DB" -tAc "select string_agg(name->>'en_US', ',' order by id) from crm_case_stage;
        select string_agg(name->>'en_US' || kind, ',' order by id) from crm_case_type;
        select prefix from ir_sequence where code = 'crm.case';
        select count(*), md5(string_agg(complete_name || coalesce(user_id, 0), ',' order by id)) from crm_case_section;
        select count(*), md5(string_agg(number || stage_id || section_id, ',' order by id)) from crm_case;"
}
psql -d "$DB" -qc "update crm_case_stage set name = jsonb_set(name, '{en_US}', '\"Triage\"') where id = (select min(id) from crm_case_stage);
    update ir_sequence set prefix = 'CASE-' where code = 'crm.case';"
before=$(snapshot)
for run in 1 2; do
    odoo_step -u "$ADDONS" updating
done
if [[ "$(snapshot)" != "$before" ]]; then
    diff <(echo "$before") <(snapshot) >&2 || true
    echo "error: updating $ADDONS changed the data above." >&2; exit 1
fi
psql -d "$DB" -qc "update crm_case_stage set name = jsonb_set(name, '{en_US}', '\"New\"') where id = (select min(id) from crm_case_stage);
    update ir_sequence set prefix = 'C' where code = 'crm.case';"
echo "test: updated twice, user changes kept, no warning"

# The mail door end to end, against a real Odoo server process on a database
# of its own, a throwaway Postfix and Dovecot on loopback (e2e/conftest.py).
# E2E=0 leaves it out of a partial run (-k ...); make test always runs it.
if [[ "${E2E:-1}" != 0 ]]; then
    echo "test: the mail door end to end: Postfix, Dovecot, odoo-bin"
    e2e_started=$(date +%s)
    (cd e2e && "$VENV/bin/python" -m pytest -c pytest.ini --rootdir=. ${E2E_ARGS:-} .)
    echo "test: end-to-end mail tests done in $(( $(date +%s) - e2e_started )) s"
fi

echo "test: installed and updated in $(( $(date +%s) - started )) s; running the tests"
# test-enable puts Odoo in test mode; test-tags=-standard keeps its registry
# loader from running every installed module's tests itself: pytest collects.
"$VENV/bin/python" -m pytest -p no:cacheprovider \
    --odoo-database="$DB" --odoo-addons-path="$ADDONS_PATH" \
    --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
    --odoo-extra=test-enable --odoo-extra=test-tags=-standard \
    --odoo-extra="http-port=${TEST_HTTP_PORT:-0}" \
    "$@" "$ADDON/tests" "$BRIDGE/tests"
