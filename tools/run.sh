#!/usr/bin/env bash
# Serve Odoo on http://localhost:8069 with the addon and its demo data; the
# database is created on the first run and kept for the next ones.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh
DB=${RUN_DB:-crm_case_sections}
PORT=${RUN_PORT:-8069}
if ! psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
    echo "run: creating the database $DB with the addon and its demo data (about a minute)"
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
        -i crm_case_sections --stop-after-init --log-level=warn
fi
echo "run: Odoo on http://localhost:$PORT — log in as admin / admin (manager),"
echo "     support / support or demo / demo (case users); Ctrl-C stops it."
WORKERS=${WORKERS:-0}
[[ "$WORKERS" =~ ^[0-9]+$ ]] || { echo "error: WORKERS must be a number of worker processes." >&2; exit 1; }
if (( WORKERS == 0 )); then
    exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
        --db-filter="^$DB\$" --http-port="$PORT" --log-level=warn
fi
# Prefork: HTTP workers, a cron worker and the websocket (gevent) process, each
# on its own port; in front of them, on $PORT, what a reverse proxy does in
# production: /websocket to the gevent process, the rest to the workers.
HTTP_PORT=${HTTP_PORT:-$((PORT + 1))}
GEVENT_PORT=${GEVENT_PORT:-8072}
echo "run: $WORKERS HTTP workers on port $HTTP_PORT, websocket process on $GEVENT_PORT"
"$VENV/bin/python" tools/run_proxy.py "$PORT" "$HTTP_PORT" "$GEVENT_PORT" &
proxy=$!
trap 'kill $proxy 2>/dev/null' EXIT
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
    --db-filter="^$DB\$" --http-port="$HTTP_PORT" --gevent-port="$GEVENT_PORT" \
    --workers="$WORKERS" --log-level=warn
