# Refuse to go on, with one sentence, when something the tests need is missing.
die() { echo "error: $*" >&2; exit 1; }
[[ -f "$ODOO_SRC/odoo-bin" ]] || die "Odoo 18.0 is missing: no odoo-bin in ODOO_SRC=$ODOO_SRC; run 'make setup' (or set ODOO_SRC)."
[[ -x "$VENV/bin/python" ]] || die "the virtualenv $VENV is missing: run 'make setup'."
"$VENV/bin/python" -c 'import odoo.release as r; assert r.version_info[:2] == (18, 0)' 2>/dev/null \
    || die "the virtualenv cannot import Odoo 18.0 from $ODOO_SRC: run 'make setup'."
"$VENV/bin/python" -c 'import websocket' 2>/dev/null \
    || die "websocket-client is missing from the virtualenv, Odoo would skip the browser tests: run 'make setup'."
command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 \
    || die "Chromium is missing, Odoo would skip the browser tests: install the 'chromium' package or run 'make setup'."
psql -d postgres -tAc "select 1" >/dev/null 2>&1 || die "PostgreSQL does not answer: run 'make setup'."
command -v postfix >/dev/null 2>&1 && command -v dovecot >/dev/null 2>&1 \
    || die "Postfix or Dovecot is missing, the end-to-end mail tests need both: run 'make setup'."
