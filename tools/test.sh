#!/usr/bin/env bash
# Lint, build the addons' wheels and install them the way an integrator does,
# install the addons with demo data on a fresh database and update them, run
# all their Odoo tests through pytest-odoo from the installed wheels, drop the
# database. Beside them, in the background, each with a database of its own
# where it needs one: lint, the translations' check, the end-to-end mail
# scenarios and the update of a database of the previous version (from the
# start), mail_inbound_guard installed alone with its tests,
# and the checks of `make run`'s demo (on a copy of the installed database). The time of each phase is
# printed at the end. SKIP_LINT=1, SKIP_DEMO_CHECK=1 and SKIP_E2E=1 leave
# those out (make test-quick). Never skips Odoo tests: a missing Odoo,
# PostgreSQL or Chromium is an error.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh

ADDON=crm_case_sections
BRIDGE=crm_case_sections_purchase
BRIDGE_TIMESHEET=crm_case_sections_timesheet
# the generic guard of incoming mail, which crm_case_sections depends on
GUARD=mail_inbound_guard
ADDONS=$ADDON,$BRIDGE,$BRIDGE_TIMESHEET
DB=${TEST_DB:-ccs_test_$(date +%s)_$$}
TMP=$(mktemp -d -t ccs-test.XXXX)
LOG=$TMP/odoo.log
BACKGROUND=()  # pids of the phases running beside the others
cleanup() {
    for pid in "${BACKGROUND[@]}"; do kill -INT -- -"$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for db in "$DB" "$DB"_guard "$DB"_demo; do
        dropdb --if-exists "$db" >/dev/null 2>&1 || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

TIMES=()  # "phase: seconds", printed at the end
RUN_STARTED=$(date +%s)
timed() {  # phase name, command...: run it in the foreground, note its time
    local name=$1 started
    shift
    started=$(date +%s)
    "$@"
    TIMES+=("$name: $(( $(date +%s) - started )) s")
}
background() {  # phase name, command...: start it beside the others
    local name=$1
    shift
    setsid bash -c 'started=$(date +%s); "$@"; status=$?
        echo "$(( $(date +%s) - started ))" >"'"$TMP"'/$0.time"; exit $status' \
        "$name" "$@" >"$TMP/$name.log" 2>&1 &
    BACKGROUND+=("$!")
    eval "PID_${name//-/_}=$!"
}
collect() {  # phase name: wait for it, show its output, fail with it
    local name=$1 pid status=0
    pid=PID_${name//-/_}
    wait "${!pid}" || status=$?
    echo "--- $name"
    cat "$TMP/$name.log"
    TIMES+=("$name (beside the others): $(cat "$TMP/$name.time" 2>/dev/null || echo '?') s")
    (( status == 0 )) || { echo "error: $name failed." >&2; exit 1; }
}

# The mail door end to end, against a real Odoo server process on a database
# of its own, a throwaway Postfix and Dovecot on loopback (e2e/conftest.py),
# from the start, beside everything else. E2E=0 or SKIP_E2E=1 (make
# test-quick) leaves it out; make test always runs it.
E2E_ON=
if [[ "${E2E:-1}" != 0 && -z "${SKIP_E2E:-}" ]]; then
    E2E_ON=1
    echo "test: the mail door end to end (Postfix, Dovecot, odoo-bin), in the background"
    background e2e bash -c 'cd e2e && "$VENV/bin/python" -m pytest -c pytest.ini --rootdir=. ${E2E_ARGS:-} .'
fi

# A database of the previous version updated to this one, from the start
background migration bash tools/check_migration.sh "$DB"_migration

# Lint, and the .pot matching a fresh export that es.po translates entirely
# (on a database of its own), beside the rest too
if [[ -z "${SKIP_LINT:-}" ]]; then
    background lint bash tools/lint.sh
    background i18n bash tools/i18n.sh --check
fi

# The addons as an integrator gets them: one wheel each, built by whool, and
# installed with pip into a virtualenv holding only Odoo's requirements and the
# test runner ($VENV_WHEELS, built by `make setup`). Pip puts them in
# site-packages/odoo/addons, where Odoo finds them by itself: the checkout is
# not on the addons path. Each run installs them into a layer of its own on top
# of $VENV_WHEELS, so that runs of other checkouts at the same time keep theirs.
[[ -x "$VENV_WHEELS/bin/python" ]] \
    || die "the virtualenv $VENV_WHEELS is missing: run 'make setup'."
echo "test: building the wheels of $GUARD, $ADDON, $BRIDGE and $BRIDGE_TIMESHEET"
"$VENV/bin/pip" wheel -q --no-deps --no-build-isolation -w "$TMP/wheels" \
    "./$GUARD" "./$ADDON" "./$BRIDGE" "./$BRIDGE_TIMESHEET" \
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
for addon in "$GUARD" "$ADDON" "$BRIDGE" "$BRIDGE_TIMESHEET"; do
    where=$("$PYTHON" -c 'import sys, odoo
odoo.tools.config.parse_config(["--addons-path=" + sys.argv[1]])
print(odoo.modules.module.get_module_path(sys.argv[2]))' "$ADDONS_PATH" "$addon" 2>&1)
    [[ "$where" == "$RUN_SITE/odoo/addons/$addon" ]] \
        || die "Odoo finds $addon in '$where', not in the installed wheel ($RUN_SITE/odoo/addons)."
done
echo "test: Odoo finds $GUARD, $ADDON, $BRIDGE and $BRIDGE_TIMESHEET in $RUN_SITE/odoo/addons"

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

# The guard of incoming mail needs nothing of cases: alone on a database of
# its own, with its tests, beside the rest.
mkdir "$TMP/plugins"
ln -s "$PWD/conftest.py" "$TMP/plugins/conftest.py"
run_tests() {  # database, then pytest's arguments
    local db=$1
    shift
    (cd "$RUN_SITE/odoo/addons" && PYTHONPATH="$TMP/plugins" "$PYTHON" -m pytest \
        -p no:cacheprovider -p conftest \
        --odoo-database="$db" --odoo-addons-path="$ADDONS_PATH" \
        --odoo-log-level="${ODOO_LOG_LEVEL:-warn}" \
        --odoo-extra=test-enable --odoo-extra=test-tags=-standard \
        --odoo-extra="http-port=${TEST_HTTP_PORT:-0}" "$@")
}
guard_alone() {
    local LOG=$TMP/odoo-guard.log
    echo "test: installing $GUARD alone on $DB""_guard"
    createdb "$DB"_guard
    odoo_step -i "$GUARD" installing "$DB"_guard "" --without-demo=all
    if [[ "$(psql -d "$DB"_guard -tAc "select count(*) from ir_module_module where name like 'crm%' and state = 'installed'")" != 0 ]]; then
        echo "error: installing $GUARD installed a CRM module." >&2; exit 1
    fi
    run_tests "$DB"_guard "$@" "$GUARD/tests"
}
export -f guard_alone run_tests odoo_step
export DB GUARD PYTHON ADDONS_PATH RUN_SITE TMP
background guard-alone bash -c 'guard_alone "$@"' guard "$@"

started=$(date +%s)
echo "test: installing $ADDON with demo data on the new database $DB"
createdb "$DB"
# pg_trgm, as Odoo's own database creation adds it (odoo/service/db.py): the
# trigram indexes and the possible duplicates' similarity need it
psql -d "$DB" -qc "CREATE EXTENSION IF NOT EXISTS pg_trgm"
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
# The Timesheets bridge the same way, with hr_timesheet.
if [[ "$(module_state "$BRIDGE_TIMESHEET")" == installed ]]; then
    echo "error: $BRIDGE_TIMESHEET got installed without hr_timesheet." >&2; exit 1
fi
echo "test: installing hr_timesheet, which must bring $BRIDGE_TIMESHEET"
odoo_step -i hr_timesheet installing
if [[ "$(module_state "$BRIDGE_TIMESHEET")" != installed ]]; then
    echo "error: installing hr_timesheet did not auto-install $BRIDGE_TIMESHEET." >&2; exit 1
fi

# Updating the addon twice must keep what users changed and log no warning.
snapshot() {
    psql -d "$DB" -tAc "select string_agg(name->>'en_US', ',' order by id) from crm_case_stage;
        select string_agg(name->>'en_US' || kind, ',' order by id) from crm_case_type;
        select prefix from ir_sequence where code = 'crm.case';
        select count(*), md5(string_agg((complete_name->>'en_US') || coalesce(user_id, 0), ',' order by id)) from crm_case_section;
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

# make run and make run LANG=es, on a copy of the database just installed
# and updated: the same modules and demo data, built once
if [[ -z "${SKIP_DEMO_CHECK:-}" ]]; then
    createdb -T "$DB" "$DB"_demo
    background demo-check env CHECK_DB="$DB"_demo CHECK_DROP=1 bash tools/check_demo.sh
fi

TIMES+=("install and update: $(( $(date +%s) - started )) s")
echo "test: installed and updated in $(( $(date +%s) - started )) s; running the tests"
# test-enable puts Odoo in test mode; test-tags=-standard keeps its registry
# loader from running every installed module's tests itself: pytest collects,
# from the installed wheels, named from their directory. The repository's
# conftest.py (Odoo's HTTP server for the tours, a skipped test fails) lies
# outside them: -p loads it, alone on the Python path with the checkout off it.
status=0
started=$(date +%s)
run_tests "$DB" "$@" "$GUARD/tests" "$ADDON/tests" "$BRIDGE/tests" "$BRIDGE_TIMESHEET/tests" || status=$?
TIMES+=("Odoo tests: $(( $(date +%s) - started )) s")
if [[ -z "${SKIP_LINT:-}" ]]; then
    collect lint
    collect i18n
fi
collect guard-alone
collect migration
[[ -n "${SKIP_DEMO_CHECK:-}" ]] || collect demo-check
[[ -z "$E2E_ON" ]] || collect e2e
echo "test: the phases' times"
printf '  %s\n' "${TIMES[@]}" "whole run: $(( $(date +%s) - RUN_STARTED )) s"
(( status == 0 )) || { echo "error: the Odoo tests failed." >&2; exit "$status"; }
