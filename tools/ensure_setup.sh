#!/usr/bin/env bash
# What `make run` and `make test` run first: the set-up of `make setup` when
# something they need is missing or the set-up itself changed since it last
# ran (a stamp named by the hash of the set-up scripts and requirements),
# otherwise only PostgreSQL started, in a second or two.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh

ready() {
    [[ -f "$SETUP_STAMP" && -f "$ODOO_SRC/odoo-bin" ]] \
        && [[ -x "$VENV/bin/python" && -x "$VENV_WHEELS/bin/python" ]] \
        && command -v chromium >/dev/null 2>&1 \
        && command -v postfix >/dev/null 2>&1 \
        && command -v dovecot >/dev/null 2>&1 \
        && { command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]]; }
}
if ready; then
    # a machine that restarted has its cluster down
    psql -d postgres -tAc "select 1" >/dev/null 2>&1 || bash tools/pg.sh
    exit 0
fi
echo "setup: something make run or make test needs is missing or changed: running make setup"
bash tools/setup.sh
