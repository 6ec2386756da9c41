#!/usr/bin/env bash
# Lint with the ecosystem's own tools: ruff, pylint-odoo (OCA checks), XML and .po validity.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
ADDONS=$(ls -d */__manifest__.py | xargs -n1 dirname)
"$VENV/bin/ruff" check $ADDONS tools bench e2e conftest.py
"$VENV/bin/ruff" format --check $ADDONS tools bench e2e conftest.py
"$VENV/bin/pylint" --rcfile=.pylintrc $ADDONS
"$VENV/bin/python" tools/check_files.py $ADDONS
echo "lint: clean"
