# Shared settings of the project's scripts; every value can be overridden.
if [[ -n "${ODOO_SRC:-}" ]]; then ODOO_SRC_GIVEN=1; fi
ODOO_SRC=${ODOO_SRC:-/opt/odoo-18.0}
ODOO_ARCHIVE_URL=${ODOO_ARCHIVE_URL:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}
VENV=${VENV:-$HOME/.cache/crm_case_sections/venv}
VENV_WHEELS=${VENV_WHEELS:-$HOME/.cache/crm_case_sections/venv-wheels}
PGHOST_DIR=${PGHOST_DIR:-/var/run/postgresql}
ADDONS_PATH="$ODOO_SRC/addons,$ODOO_SRC/odoo/addons,$(pwd)"
export ODOO_SRC VENV VENV_WHEELS ADDONS_PATH
