#!/usr/bin/env bash
# Benchmarks, on one database dropped on exit:
# - e-mail gateway: the same mail sent to a case section, a CRM sales team and
#   an OCA helpdesk team on empty tables, BENCH_N messages per target (default
#   300); then, once the database holds the generated cases, the same mails
#   again: the case gateway must cost the same queries and time within 15 %.
#   BENCH_JSON=FILE writes the figures; BENCH_PROFILE=K also lists the top
#   SQL sources over K more messages.
# - generation: 1,000 sections and their users through the ORM, BENCH_CASES
#   case rows (default 1,000,000) by SQL, their stored computed fields by the
#   addon itself, in batches (bench/generate.py).
# - screens: the web client's calls of the case screens as a support user, a
#   department user and a manager, and the portal of a customer whose company
#   holds 10,000 cases through odoo-bin over HTTP. BENCH_SCREENS_JSON=FILE.
# - follow-up crons: escalation and reminders over those cases
#   (BENCH_CRONS_JSON=FILE writes the figures); then service levels: deadlines
#   of 10,000 new cases, the cron over 20,000 cases at risk, the departments'
#   overview; then assignment: a new case by balanced workload against one
#   to the responsible, and the cron handing out a night's queue of 5,000.
# - the real path: SMTP submission to Postfix, its pipe to the mailgate
#   script, XML-RPC into odoo-bin with 1, 2 and 4 workers, 8 concurrent
#   senders (BENCH_SENDERS), BENCH_REAL_N mails per run (default 200), until
#   every case is committed (a database of its own). BENCH_REAL_JSON=FILE.
# - spam flood: 1,000 mails from one blocked address (BENCH_FLOOD) and new
#   customer mails interleaved in the same process, queries and ms per mail of
#   each, before the generation (bench/bench_spam.py). BENCH_SPAM_JSON=FILE.
# BENCH_ONLY=gateway, spam, screens, crons or realpath runs only that one (and
# the generation it needs); a comma-separated list runs those.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh

N=${BENCH_N:-300}
CASES=${BENCH_CASES:-1000000}
ONLY=${BENCH_ONLY:-}
[[ "$ONLY" =~ ^((gateway|spam|screens|crons|realpath)(,|$))*$ ]] || { echo "error: BENCH_ONLY must list gateway, spam, screens, crons or realpath." >&2; exit 1; }
CACHE=${BENCH_CACHE:-$HOME/.cache/crm_case_sections/bench}
OCA_ADDONS="$CACHE/addons"
DB=ccs_bench_$$
LOG=$(mktemp -t ccs-bench.XXXX.log)
EMPTY_JSON=$(mktemp -t ccs-bench-gateway.XXXX.json)
INSTALLED=
cleanup() {
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -f "$LOG" "$EMPTY_JSON"
}
trap cleanup EXIT

# OCA addons serve the comparison only: they stay in the cache, on the addons
# path of this benchmark, and never become a dependency of crm_case_sections.
addon_dir() {
    local dir
    for dir in ${ADDONS_PATH//,/ } "$OCA_ADDONS"; do
        if [[ -f "$dir/$1/__manifest__.py" ]]; then echo "$dir/$1"; return; fi
    done
}
fetch_oca_addon() {
    local name=$1 wheel tmp dep
    if [[ -z "$(addon_dir "$name")" ]]; then
        wheel=$(ls "$CACHE/wheels/odoo_addon_$name"-18.0.*.whl 2>/dev/null | sort -V | tail -1 || true)
        if [[ -z "$wheel" ]]; then
            echo "bench: downloading OCA's $name 18.0 into $CACHE/wheels"
            "$VENV/bin/pip" download -q --no-deps "odoo-addon-$name>=18.0,<18.1" -d "$CACHE/wheels" \
                || { echo "error: could not download odoo-addon-$name 18.0 from PyPI." >&2; exit 1; }
            wheel=$(ls "$CACHE/wheels/odoo_addon_$name"-18.0.*.whl | sort -V | tail -1)
        fi
        # the wheel holds odoo/addons/<name>/...; unpack aside, then move in one step
        tmp=$(mktemp -d "$CACHE/unpack.XXXX")
        "$VENV/bin/python" -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
            "$wheel" "$tmp"
        mkdir -p "$OCA_ADDONS"
        mv "$tmp/odoo/addons/$name" "$OCA_ADDONS/"
        rm -rf "$tmp"
    fi
    for dep in $("$VENV/bin/python" -c 'import ast, sys; print(*ast.literal_eval(open(sys.argv[1]).read()).get("depends", []))' \
            "$(addon_dir "$name")/__manifest__.py"); do
        [[ -n "$(addon_dir "$dep")" ]] || fetch_oca_addon "$dep"
    done
}
# Odoo creates the databases itself, as in production: with pg_trgm, so that
# index="trigram" fields get the GIN indexes they have there.
install() {  # database, addons path, modules
    if ! "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$2" -d "$1" \
            -i "$3" --without-demo=all \
            --stop-after-init --log-level=warn --http-port=0 >"$LOG" 2>&1; then
        cat "$LOG"; echo "error: installing $3 failed." >&2; exit 1
    fi
    # as docs/DEPLOY.md recommends: PostgreSQL's JIT compiles every query
    # that reads a large table, which costs the reports more than it saves
    psql -d "$1" -qc "ALTER DATABASE \"$1\" SET jit = off"
}

runs() { [[ -z "$ONLY" || ",$ONLY," == *",$1,"* ]]; }

# timed LABEL COMMAND...: runs the command, then says how long it took
timed() {
    local label=$1 started
    shift
    started=$(date +%s)
    "$@" || return 1
    echo "bench: $label done in $(( $(date +%s) - started )) s"
}

# The gateway's comparison needs crm and OCA's helpdesk_mgmt in the database;
# the other benchmarks need crm_case_sections only, and no OCA download.
bench_gateway_empty() {
    mkdir -p "$CACHE"
    fetch_oca_addon helpdesk_mgmt
    INSTALLED="$ADDONS_PATH,$OCA_ADDONS"
    echo "bench: installing crm_case_sections, crm and helpdesk_mgmt without demo data on $DB"
    timed "installation" install "$DB" "$INSTALLED" crm_case_sections,crm,helpdesk_mgmt
    timed "gateway on empty tables" "$VENV/bin/python" bench/bench_gateway.py \
        --addons-path "$INSTALLED" -d "$DB" -n "$N" --json "$EMPTY_JSON"
}

install_cases() {
    if [[ -z "$INSTALLED" ]]; then
        echo "bench: installing crm_case_sections without demo data on $DB"
        INSTALLED=$ADDONS_PATH
        timed "installation" install "$DB" "$INSTALLED" crm_case_sections
    fi
}

# on small tables, before the generation; it removes what it adds
bench_spam() {
    install_cases
    timed "spam flood" "$VENV/bin/python" bench/bench_spam.py --addons-path "$INSTALLED" \
        -d "$DB" -n "${BENCH_FLOOD:-1000}" ${BENCH_SPAM_JSON:+--json "$BENCH_SPAM_JSON"}
}

generate() {
    install_cases
    timed "generation" "$VENV/bin/python" bench/generate.py --addons-path "$INSTALLED" -d "$DB" \
        --cases "$CASES"
}

bench_gateway_scale() {
    timed "gateway at scale" "$VENV/bin/python" bench/bench_gateway.py --addons-path "$INSTALLED" \
        -d "$DB" -n "$N" --baseline "$EMPTY_JSON" ${BENCH_JSON:+--json "$BENCH_JSON"} \
        ${BENCH_PROFILE:+--profile "$BENCH_PROFILE"}
}

bench_screens() {
    timed "screens" "$VENV/bin/python" bench/bench_screens.py --addons-path "$INSTALLED" -d "$DB" \
        ${BENCH_SCREENS_JSON:+--json "$BENCH_SCREENS_JSON"}
}

crons_and_service_levels() {
    "$VENV/bin/python" bench/bench_crons.py --addons-path "$INSTALLED" -d "$DB" \
        --cases "$CASES" ${BENCH_CRONS_JSON:+--json "$BENCH_CRONS_JSON"} || return 1
    # service levels on the same cases
    "$VENV/bin/python" bench/bench_sla.py --addons-path "$INSTALLED" -d "$DB" || return 1
    # assignment of new and waiting cases among a department's members
    "$VENV/bin/python" bench/bench_assign.py --addons-path "$INSTALLED" -d "$DB"
}
bench_crons() { timed "crons" crons_and_service_levels; }

# Postfix, Dovecot and odoo-bin as in production, one database dropped on exit.
bench_realpath() {
    timed "real path" "$VENV/bin/python" bench/bench_realpath.py -n "${BENCH_REAL_N:-200}" \
        --senders "${BENCH_SENDERS:-8}" --workers "${BENCH_WORKERS:-1,2,4}" \
        ${BENCH_REAL_JSON:+--json "$BENCH_REAL_JSON"}
}

# a benchmark that fails lets the others run on the same cases; make bench
# fails at the end (set -e does not apply inside a step: each returns 1)
started=$(date +%s)
failed=()
step() { "$@" || failed+=("${1#bench_}"); }
! runs gateway || step bench_gateway_empty
! runs spam || step bench_spam
if runs gateway || runs screens || runs crons; then
    generate
    ! runs gateway || step bench_gateway_scale
    ! runs screens || step bench_screens
    ! runs crons || step bench_crons
fi
dropdb --if-exists "$DB"
! runs realpath || step bench_realpath
echo "bench: done in $(( $(date +%s) - started )) s"
if (( ${#failed[@]} )); then
    echo "error: benchmarks failed: ${failed[*]}" >&2
    exit 1
fi
