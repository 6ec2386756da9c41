#!/usr/bin/env bash
# Check that `make run` (and `make run LANG=es`) give a newcomer the demo it
# promises, on a throwaway database created exactly as `make run` creates its
# own: the menus, users and languages, outgoing mail kept in the queue without
# local mail, and with it the README's mail path (`make send-mail` to support@,
# the acknowledgement in the sender's mailbox). `make test` runs it.
# CHECK_DB=name uses (or creates) that database and keeps it, unless
# CHECK_DROP=1 (make test gives it a copy of its own installed database).
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
DB=${CHECK_DB:-ccs_demo_check_$(date +%s)_$$}
DROP=${CHECK_DROP:-}
[[ -n "${CHECK_DB:-}" ]] || DROP=1
[[ -z "$DROP" ]] || trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
check() {  # language the demo users must speak
    CHECK_LANG=$1 "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH" \
        -d "$DB" --log-level=warn --no-http <tools/check_demo.py
}
started=$(date +%s)
RUN_DB=$DB RUN_PREPARE_ONLY=1 RUN_LANG= bash tools/run.sh
check en_US
RUN_DB=$DB RUN_PREPARE_ONLY=1 RUN_LANG=es bash tools/run.sh
check es_ES
echo "check: make run and make run LANG=es checked in $(( $(date +%s) - started )) s"

# Without local mail, a message to a customer waits in the queue, unfailed.
RUN_SMTP_PORT= "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH" \
    -d "$DB" --log-level=warn --no-http <tools/demo_mail.py
"$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$ADDONS_PATH" \
    -d "$DB" --log-level=warn --no-http <<'PY'
case = env["crm.case"].search([("partner_id.email", "!=", False)], limit=1)
message = case.message_post(
    body="Queued?", partner_ids=case.partner_id.ids, subtype_xmlid="mail.mt_comment"
)
env.cr.commit()  # where an immediate sending would happen
mails = env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
states = set(mails.mapped("state"))
queue = env.ref("mail.ir_cron_mail_scheduler_action")
if not mails or states != {"outgoing"} or queue.active:
    raise SystemExit(f"check: without local mail the message is {states}, queue cron {queue.active}")
print("check: without local mail, a message to a customer waits in the queue")
PY

# The README's mail path on that database: `make run` with its local mail,
# a customer's mail to support@ with `make send-mail`, the acknowledgement
# read back with `make mail`.
started=$(date +%s)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
export RUN_MAIL_DIR RUN_SMTP_PORT RUN_IMAP_PORT
RUN_MAIL_DIR=$(mktemp -d -t ccs-check-mail.XXXX) RUN_SMTP_PORT=$(free_port) RUN_IMAP_PORT=$(free_port)
RUN_LOG=$(mktemp -t ccs-check-run.XXXX.log)
RUN_DB=$DB RUN_PORT=$PORT setsid bash tools/run.sh >"$RUN_LOG" 2>&1 &
run=$!
finish() {
    kill -INT -- -"$run" 2>/dev/null || true
    wait "$run" 2>/dev/null || true
    rm -rf "$RUN_MAIL_DIR" "$RUN_LOG"
    [[ -z "$DROP" ]] || dropdb --if-exists "$DB" >/dev/null 2>&1 || true
}
trap finish EXIT
fail() { cat "$RUN_LOG"; echo "check: $*" >&2; exit 1; }
for _ in $(seq 180); do
    curl -sf "http://127.0.0.1:$PORT/web/health" >/dev/null && break
    kill -0 "$run" 2>/dev/null || fail "make run stopped"
    sleep 1
done
grep -q "^run: local mail" "$RUN_LOG" || fail "make run did not start its local mail"
SUBJECT="Check $$: pump P-12 leaks"
CUSTOMER=ana.check@customer.example.com
make -s send-mail FROM="$CUSTOMER" SUBJECT="$SUBJECT" >/dev/null
for _ in $(seq 120); do
    ack=$(python3 tools/mail.py read "$CUSTOMER" 2>/dev/null | grep -m1 "^Subject: \[C[0-9]*\] $SUBJECT$" || true)
    [[ -n "$ack" ]] && break
    sleep 1
done
[[ -n "$ack" ]] || fail "no acknowledgement in $CUSTOMER's mailbox after 120 s"
number=$(psql -d "$DB" -tAc "SELECT string_agg(number, ',') FROM crm_case WHERE name = '$SUBJECT' AND email_from = '$CUSTOMER'")
[[ "$ack" == "Subject: [$number] $SUBJECT" ]] || fail "the acknowledgement '$ack' is not of the one case $number"
kill -INT -- -"$run"
wait "$run" || true
! postfix -c "$RUN_MAIL_DIR/postfix" status 2>/dev/null || fail "Postfix still runs after make run stopped"
echo "check: a mail to support@ became $number, acknowledged in the sender's mailbox, in $(( $(date +%s) - started )) s"
