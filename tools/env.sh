# Shared settings of the project's scripts; every value can be overridden.
if [[ -n "${ODOO_SRC:-}" ]]; then ODOO_SRC_GIVEN=1; fi
ODOO_SRC=${ODOO_SRC:-/opt/odoo-18.0}
ODOO_ARCHIVE_URL=${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
VENV=${VENV:-$HOME/.cache/crm_case_sections/venv}
VENV_WHEELS=${VENV_WHEELS:-$HOME/.cache/crm_case_sections/venv-wheels}
PGHOST_DIR=${PGHOST_DIR:-/var/run/postgresql}
ADDONS_PATH="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$(pwd)"
export ODOO_SRC VENV VENV_WHEELS ADDONS_PATH
# Written by tools/setup.sh once everything is in place; named by the hash of
# what the set-up installs, so that a change of it runs the set-up again.
SETUP_STAMP="${SETUP_STAMP_DIR:-$HOME/.cache/crm_case_sections}/setup-$(cat tools/setup.sh tools/pg.sh \
    tools/requirements-test.txt tools/requirements-dev.txt "$ODOO_SRC/requirements.txt" 2>/dev/null \
    | sha1sum | cut -c1-12)"
