#!/usr/bin/env bash
# Regenerate the README's screenshots in docs/: prepare a throwaway database
# in Spanish as `make run LANG=es` does, run the README's walk-through on it,
# serve it, photograph it in headless
# Chromium, then stop the server and drop the database. Any error fails it.
#   DOCS_PORT=8079   the port of the server it starts
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh
DB=${DOCS_DB:-ccs_docs_$(date +%s)_$$}
PORT=${DOCS_PORT:-8079}
LOG=$(mktemp -t ccs-docs.XXXX.log)
server=
cleanup() {
    if [[ -n "$server" ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    rm -f "$LOG" "$LOG".steps.*
}
trap cleanup EXIT

# the Spanish of `make run LANG=es`, in which the README's walk-through runs
# and every screenshot is taken
RUN_DB=$DB RUN_PREPARE_ONLY=1 RUN_LANG=es bash tools/run.sh
# the README's walk-through, command by command, as a reader runs it
"$VENV/bin/python" - "$LOG.steps" <<'EOF'
import re
import sys

steps = re.findall(r"^make shell <<'PY'\n(.*?)^PY$", open("README.md").read(), re.M | re.S)
for number, step in enumerate(steps, 1):
    open(f"{sys.argv[1]}.{number}", "w").write(step)
print(f"docs: {len(steps)} steps of the README's walk-through")
EOF
for step in "$LOG".steps.*; do
    RUN_DB=$DB bash tools/shell.sh <"$step" >/dev/null || { echo "error: a step of the README failed:" >&2; cat "$step" >&2; exit 1; }
done
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
    --db-filter="^$DB\$" --http-port="$PORT" --log-level=warn --max-cron-threads=0 >"$LOG" 2>&1 &
server=$!
for _ in $(seq 120); do
    curl -fs "http://localhost:$PORT/web/health" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$LOG"; echo "error: the Odoo server did not start." >&2; exit 1; }
    sleep 1
done
"$VENV/bin/python" tools/screenshots.py "http://localhost:$PORT" "$DB" docs \
    || { cat "$LOG"; exit 1; }
if grep -E " (ERROR|CRITICAL) |Traceback" "$LOG"; then
    echo "error: the server logged the errors above while the screenshots were taken." >&2; exit 1
fi
echo "docs: screenshots in docs/ ($(du -ch docs/*.png | tail -1 | cut -f1))"
