#!/usr/bin/env bash
# Updating a database of the previous version (before the guard of incoming
# mail was an addon of its own) moves its unprocessed mail, raw source
# included. From the checkouts, with $VENV, on a database of its own (the
# first argument, dropped at the end). `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh
ADDON=crm_case_sections
GUARD=mail_inbound_guard
PREVIOUS=f51f389  # 18.0.1.4.1, the last release before the guard was an addon
DB=${1:-ccs_migration_$(date +%s)_$$}
TMP=$(mktemp -d -t ccs-migration.XXXX)
LOG=$TMP/odoo.log
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
odoo_step() {  # -i|-u, module, what it is called in messages, addons path
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$4" -d "$DB" \
        "$1" "$2" --without-demo=all --stop-after-init --log-level=warn --http-port=0 >"$LOG" 2>&1 \
        || { cat "$LOG"; die "$3 $2 failed."; }
    if grep -E " (WARNING|ERROR|CRITICAL) .*($ADDON|$GUARD|Traceback)" "$LOG"; then
        die "$3 $2 logged the warnings above."
    fi
}
shell() {  # addons path; the script on stdin
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" shell --addons-path="$1" -d "$DB" \
        --log-level=warn --no-http
}

echo "migration: updating $ADDON from $PREVIOUS, with a row of unprocessed mail"
mkdir "$TMP/previous"
git archive "$PREVIOUS" "$ADDON" | tar -x -C "$TMP/previous"
createdb "$DB"
odoo_step -i "$ADDON" "installing the previous" "$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$TMP/previous"
shell "$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$TMP/previous" >"$LOG" 2>&1 <<'PY' || { cat "$LOG"; die "keeping a mail with $PREVIOUS failed."; }
if not env.company.alias_domain_id:
    env.company.alias_domain_id = env["mail.alias.domain"].create({"name": "example.com"})
section = env["crm.case.section"].create({"name": "Migrated", "alias_name": "migrated"})
to = section.alias_id.alias_full_name
raw = f"To: {to}\nSubject: Kept before the update\n\nBody".encode()
env["crm.case.mail.quarantine"]._quarantine(raw, KeyError("before"))
assert env["crm.case.mail.quarantine"].search([]).section_id == section
env.cr.commit()
PY
odoo_step -u "$ADDON" updating "$ADDONS_PATH"
moved=$(psql -d "$DB" -tAc "
    SELECT u.name || '|' || a.alias_name || '|' || m.state
      FROM mail_inbound_unprocessed u
      JOIN mail_alias a ON a.id = u.alias_id
      JOIN ir_module_module m ON m.name = '$GUARD'")
[[ "$moved" == "Kept before the update|migrated|installed" ]] \
    || die "the unprocessed mail was not moved to mail_inbound_unprocessed with its alias: '$moved'."
raw=$(shell "$ADDONS_PATH" 2>&1 <<'PY'
import base64
print("RAW:" + base64.b64decode(env["mail.inbound.unprocessed"].search([]).raw_message).decode())
PY
)
[[ "$raw" == *"RAW:To: migrated@"*"Kept before the update"* ]] \
    || die "the raw source of the moved unprocessed mail cannot be read: '$raw'."
echo "migration: $ADDON updated from $PREVIOUS, its unprocessed mail moved and readable"
