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
if (( WORKERS > 0 )); then
    # prefork: HTTP workers, a cron worker, and the websocket (gevent) process
    echo "run: $WORKERS HTTP workers; websocket on port ${GEVENT_PORT:-8072}, proxied by Odoo"
fi
exec "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
    --db-filter="^$DB\$" --http-port="$PORT" --log-level=warn \
    --workers="$WORKERS" --gevent-port="${GEVENT_PORT:-8072}"
