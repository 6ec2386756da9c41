#!/usr/bin/env bash
# Lint, check the demo of `make run`, build the addons' wheels and install them
# the way an integrator does, update a database of the previous version,
# install mail_inbound_guard alone on a database and the addons with demo data
# on another, run their Odoo tests through pytest-odoo from the installed
# wheels (the guard's on both), drop the databases. SKIP_LINT=1 and SKIP_DEMO_CHECK=1 leave out the
# first two. Never skips Odoo tests: a missing Odoo, PostgreSQL or Chromium is
# an error.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh

ADDON=crm_case_sections
BRIDGE=crm_case_sections_purchase
# the generic guard of incoming mail, which crm_case_sections depends on
GUARD=mail_inbound_guard
ADDONS=$ADDON,$BRIDGE
DB=${TEST_DB:-ccs_test_$(date +%s)_$$}
# the guard alone, and the update from the previous version, on databases of their own
GUARD_DB=${DB}_guard
MIGRATION_DB=${DB}_migration
TMP=$(mktemp -d -t ccs-test.XXXX)
LOG=$TMP/odoo.log
cleanup() {
    for db in "$DB" "$GUARD_DB" "$MIGRATION_DB"; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
}
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

# The addons as an integrator gets them: one wheel each, built by whool, and
# installed with pip into a virtualenv holding only Odoo's requirements and the
# test runner ($VENV_WHEELS, built by `make setup`). Pip puts them in
# site-packages/odoo/addons, where Odoo finds them by itself: the checkout is
# not on the addons path. Each run installs them into a layer of its own on top
# of $VENV_WHEELS, so that runs of other checkouts at the same time keep theirs.
[[ -x "$VENV_WHEELS/bin/python" ]] \
    || die "the virtualenv $VENV_WHEELS is missing: run 'make setup'."
echo "test: building the wheels of $GUARD, $ADDON and $BRIDGE"
"$VENV/bin/pip" wheel -q --no-deps --no-build-isolation -w "$TMP/wheels" "./$GUARD" "./$ADDON" "./$BRIDGE" \
    || die "building the wheels failed."
ls "$TMP/wheels"
RUN_VENV=$TMP/venv
python3.11 -m venv --without-pip "$RUN_VENV"
site_of() { "$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }
RUN_SITE=$(site_of "$RUN_VENV/bin/python")
echo "import site; site.addsitedir('$(site_of "$VENV_WHEELS/bin/python")')" >"$RUN_SITE/venv-wheels.pth"
"$VENV_WHEELS/bin/pip" --python "$RUN_VENV/bin/python" install -q --no-deps --force-reinstall \
    "$TMP/wheels"/*.whl || die "installing the wheels failed."
PYTHON=$RUN_VENV/bin/python
ADDONS_PATH="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons"
for addon in "$GUARD" "$ADDON" "$BRIDGE"; do
    where=$("$PYTHON" -c 'import sys, odoo
odoo.tools.config.parse_config(["--addons-path=" + sys.argv[1]])
print(odoo.modules.module.get_module_path(sys.argv[2]))' "$ADDONS_PATH" "$addon" 2>&1)
    [[ "$where" == "$RUN_SITE/odoo/addons/$addon" ]] \
        || die "Odoo finds $addon in '$where', not in the installed wheel ($RUN_SITE/odoo/addons)."
done
echo "test: Odoo finds $GUARD, $ADDON and $BRIDGE in $RUN_SITE/odoo/addons"

# Install (-i) or update (-u) modules; fail on any warning the addons log.
odoo_step() {  # -i|-u, modules, what it is called in messages[, database, addons path, option]
    "${ODOO_PYTHON:-$PYTHON}" "$ODOO_SRC/odoo-bin" --addons-path="${5:-$ADDONS_PATH}" -d "${4:-$DB}" \
        "$1" "$2" ${6:-} --stop-after-init --log-level=warn --http-port=0 >"$LOG" 2>&1 \
        || { cat "$LOG"; echo "error: $3 $2 failed." >&2; exit 1; }
    if grep -E " (WARNING|ERROR|CRITICAL) .*(crm_case_sections|$GUARD|Traceback)" "$LOG"; then
        echo "error: $3 $2 logged the warnings above." >&2; exit 1
    fi
}
module_state() { psql -d "$DB" -tAc "select state from ir_module_module where name = '$1'"; }

# Updating a database of the previous version (before the mail guard was an
# addon of its own) moves its unprocessed mail, raw source included. From the
# checkouts, with $VENV: the wheels would hide the previous version.
PREVIOUS=276afdc
echo "test: updating $ADDON from $PREVIOUS, with a row of unprocessed mail"
mkdir "$TMP/previous"
git archive "$PREVIOUS" "$ADDON" | tar -x -C "$TMP/previous"
createdb "$MIGRATION_DB"
ODOO_PYTHON=$VENV/bin/python odoo_step -i "$ADDON" "installing the previous" \
    "$MIGRATION_DB" "$ADDONS_PATH,$TMP/previous" --without-demo=all
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH,$TMP/previous" \
    -d "$MIGRATION_DB" --log-level=warn --no-http >"$LOG" 2>&1 <<'PY' || { cat "$LOG"; die "keeping a mail with $PREVIOUS failed."; }
if not env.company.alias_domain_id:
    env.company.alias_domain_id = env["mail.alias.domain"].create({"name": "example.com"})
section = env["crm.case.section"].create({"name": "Migrated", "alias_name": "migrated"})
to = section.alias_id.alias_full_name
raw = f"To: {to}\nSubject: Kept before the update\n\nBody".encode()
env["crm.case.mail.quarantine"]._quarantine(raw, KeyError("before"))
assert env["crm.case.mail.quarantine"].search([]).section_id == section
env.cr.commit()
PY
ODOO_PYTHON=$VENV/bin/python odoo_step -u "$ADDON" updating "$MIGRATION_DB" \
    "$ADDONS_PATH,$PWD" --without-demo=all
moved=$(psql -d "$MIGRATION_DB" -tAc "
    SELECT u.name || '|' || a.alias_name || '|' || m.state
      FROM mail_inbound_unprocessed u
      JOIN mail_alias a ON a.id = u.alias_id
      JOIN ir_module_module m ON m.name = '$GUARD'")
[[ "$moved" == "Kept before the update|migrated|installed" ]] \
    || die "the unprocessed mail was not moved to mail_inbound_unprocessed with its alias: '$moved'."
raw=$("$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH,$PWD" \
    -d "$MIGRATION_DB" --log-level=warn --no-http 2>&1 <<'PY'
import base64
print("RAW:" + base64.b64decode(env["mail.inbound.unprocessed"].search([]).raw_message).decode())
PY
)
[[ "$raw" == *"RAW:To: migrated@"*"Kept before the update"* ]] \
    || die "the raw source of the moved unprocessed mail cannot be read: '$raw'."
dropdb "$MIGRATION_DB"
echo "test: $ADDON updated from $PREVIOUS, its unprocessed mail moved and readable"

# The guard of incoming mail needs nothing of cases: alone on a database.
echo "test: installing $GUARD alone on $GUARD_DB"
createdb "$GUARD_DB"
odoo_step -i "$GUARD" installing "$GUARD_DB" "" --without-demo=all
if [[ "$(psql -d "$GUARD_DB" -tAc "select count(*) from ir_module_module where name like 'crm%' and state = 'installed'")" != 0 ]]; then
    echo "error: installing $GUARD installed a CRM module." >&2; exit 1
fi

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
# loader from running every installed module's tests itself: pytest collects,
# from the installed wheels, named from their directory. The repository's
# conftest.py (Odoo's HTTP server for the tours, a skipped test fails) lies
# outside them: -p loads it, alone on the Python path with the checkout off it.
mkdir "$TMP/plugins"
ln -s "$PWD/conftest.py" "$TMP/plugins/conftest.py"
cd "$RUN_SITE/odoo/addons"
run_tests() {  # database, then pytest's arguments
    local db=$1; shift
    PYTHONPATH="$TMP/plugins" "$PYTHON" -m pytest -p no:cacheprovider -p conftest \
        --odoo-database="$db" --odoo-addons-path="$ADDONS_PATH" \
        --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
        --odoo-extra=test-enable --odoo-extra=test-tags=-standard \
        --odoo-extra="http-port=${TEST_HTTP_PORT:-0}" \
        "$@"
}
echo "test: $GUARD's tests on $GUARD_DB, where it is alone"
run_tests "$GUARD_DB" "$@" "$GUARD/tests"
echo "test: every addon's tests on $DB"
run_tests "$DB" "$@" "$GUARD/tests" "$ADDON/tests" "$BRIDGE/tests"
