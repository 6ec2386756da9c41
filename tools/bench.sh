#!/usr/bin/env bash
# E-mail gateway benchmark: the same mail sent to a case section, a CRM sales
# team and an OCA helpdesk team, on a fresh database dropped on exit.
# BENCH_N messages per target (default 300); BENCH_JSON=FILE writes the
# figures; BENCH_PROFILE=K also lists the top SQL sources over K more messages.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh

N=${BENCH_N:-300}
CACHE=${BENCH_CACHE:-$HOME/.cache/crm_case_sections/bench}
OCA_ADDONS="$CACHE/addons"
DB=ccs_bench_$$
LOG=$(mktemp -t ccs-bench.XXXX.log)
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -f "$LOG"; }
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
mkdir -p "$CACHE"
fetch_oca_addon helpdesk_mgmt
addons_path="$ADDONS_PATH,$OCA_ADDONS"

started=$(date +%s)
# Odoo creates the database itself, as in production: with pg_trgm, so that
# index="trigram" fields get the GIN indexes they have there.
echo "bench: installing crm_case_sections, crm and helpdesk_mgmt without demo data on $DB"
if ! "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$addons_path" -d "$DB" \
        -i crm_case_sections,crm,helpdesk_mgmt --without-demo=all \
        --stop-after-init --log-level=warn --http-port=0 >"$LOG" 2>&1; then
    cat "$LOG"; echo "error: installing the addons failed." >&2; exit 1
fi
installed=$(date +%s)
"$VENV/bin/python" bench/bench_gateway.py --addons-path "$addons_path" -d "$DB" -n "$N" \
    ${BENCH_JSON:+--json "$BENCH_JSON"} ${BENCH_PROFILE:+--profile "$BENCH_PROFILE"}
echo "bench: done in $(( $(date +%s) - started )) s (install $(( installed - started )) s)"
