#!/usr/bin/env bash
# Serve Odoo on http://localhost:8069 with the addon, Purchase, Timesheets and
# their demo data; the database is created on the first run and kept for the next ones.
#   RUN_DB=name            another database (default crm_case_sections)
#   RUN_PORT=8070          another HTTP port
#   RUN_LANG=es            (make run LANG=es) load that language and give it to
#                          the demo users; RUN_LANG=en gives them English back
#   RUN_PREPARE_ONLY=1     (make demo-db) prepare the database, then exit
#   RUN_MAIL=0             no local mail: outgoing mail waits in the queue
#   RUN_MAIL_DIR, RUN_SMTP_PORT=2525, RUN_IMAP_PORT=1143
#                          the local Postfix and Dovecot (tools/mail.py): mail
#                          to the demo's alias domain goes into Odoo, mail to
#                          anyone else into a local mailbox (`make mail`)
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh
DB=${RUN_DB:-crm_case_sections}
PORT=${RUN_PORT:-8069}
odoo() {  # [shell] options
    local command=()
    if [[ "$1" == shell ]]; then command=(shell); shift; fi
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" "${command[@]}" --addons-path="$ADDONS_PATH" -d "$DB" "$@"
}
if ! psql -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
    echo "run: creating the database $DB with the addon, Purchase, Timesheets and their demo data (a few minutes)"
    # The addon first: its demo company is Spanish when Purchase brings
    # Accounting, which then takes the Spanish chart of accounts, in euros.
    # Purchase brings the bridge crm_case_sections_purchase, Timesheets
    # (hr_timesheet) crm_case_sections_timesheet: they install themselves.
    odoo -i crm_case_sections --stop-after-init --log-level=warn --http-port=0
    odoo -i purchase --stop-after-init --log-level=warn --http-port=0
    odoo -i hr_timesheet --stop-after-init --log-level=warn --http-port=0
fi
if [[ -n "${RUN_LANG:-}" ]]; then
    case "$RUN_LANG" in
        es) RUN_LANG=es_ES ;;
        en) RUN_LANG=en_US ;;
    esac
    echo "run: the demo users of $DB speak $RUN_LANG"
    RUN_LANG=$RUN_LANG odoo shell --log-level=warn --http-port=0 --no-http <tools/demo_lang.py
fi
if [[ -n "${RUN_PREPARE_ONLY:-}" ]]; then
    echo "run: the database $DB is ready"
    exit 0
fi
# Local mail: started before Odoo, stopped when it stops; without it, the
# outgoing mail is kept in the queue rather than failing.
export RUN_SMTP_PORT=${RUN_SMTP_PORT:-2525} RUN_IMAP_PORT=${RUN_IMAP_PORT:-1143}
mail_stop() { python3 tools/mail.py stop >/dev/null 2>&1 || true; }
if [[ "${RUN_MAIL:-1}" != 0 ]] && why=$(python3 tools/mail.py start "$DB" "$PORT" 2>&1); then
    trap mail_stop EXIT
    echo "run: local mail: SMTP 127.0.0.1:$RUN_SMTP_PORT, IMAP 127.0.0.1:$RUN_IMAP_PORT (any address, password secret); \`make mail\` lists the mailboxes"
else
    echo "run: no local mail (${why:-RUN_MAIL=0}): outgoing mail waits in Settings › Technical › Emails"
    RUN_SMTP_PORT=
fi
RUN_SMTP_PORT=$RUN_SMTP_PORT odoo shell --log-level=warn --http-port=0 --no-http <tools/demo_mail.py
echo "run: Odoo on http://localhost:$PORT — log in as admin / admin (manager),"
echo "     support / support, demo / demo or purchases / purchases (case users),"
echo "     portal customer carmen / carmen at http://localhost:$PORT/my; Ctrl-C stops it."
WORKERS=${WORKERS:-0}
[[ "$WORKERS" =~ ^[0-9]+$ ]] || { echo "error: WORKERS must be a number of worker processes." >&2; exit 1; }
# a case's acknowledgement and the mail queue wake their cron at once
export ODOO_NOTIFY_CRON_CHANGES=1
if (( WORKERS == 0 )); then
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
        --db-filter="^$DB\$" --http-port="$PORT" --log-level=warn
    exit
fi
# Prefork: HTTP workers, a cron worker and the websocket (gevent) process, each
# on its own loopback port; in front of them, on $PORT, nginx with the
# configuration of docs/DEPLOY.md: /websocket to the gevent process, the rest
# to the workers.
HTTP_PORT=${HTTP_PORT:-$((PORT + 1))}
GEVENT_PORT=${GEVENT_PORT:-8072}
echo "run: nginx on 127.0.0.1:$PORT, $WORKERS HTTP workers on port $HTTP_PORT, websocket process on $GEVENT_PORT"
nginx_dir=$(mktemp -d "${TMPDIR:-/tmp}/ccs-nginx.XXXXXX")
bash tools/nginx.sh "$nginx_dir" "$PORT" "$HTTP_PORT" "$GEVENT_PORT" &
nginx=$!
# (Ctrl-C reaches nginx too: it may be gone already; set -e would end the trap
# at the first command that fails)
nginx_stop() {
    kill "$nginx" 2>/dev/null || true
    wait "$nginx" 2>/dev/null || true
    rm -rf "$nginx_dir"
}
trap 'nginx_stop; mail_stop' EXIT
# nginx writes its pid file once it listens
for _ in {1..50}; do
    [[ -s $nginx_dir/nginx.pid ]] || ! kill -0 "$nginx" 2>/dev/null && break
    sleep 0.1
done
[[ -s $nginx_dir/nginx.pid ]] || { echo "error: nginx did not start on 127.0.0.1:$PORT (above)." >&2; exit 1; }
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
    --db-filter="^$DB\$" --http-interface=127.0.0.1 --http-port="$HTTP_PORT" \
    --gevent-port="$GEVENT_PORT" --workers="$WORKERS" --proxy-mode --log-level=warn
