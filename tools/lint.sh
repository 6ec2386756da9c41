#!/usr/bin/env bash
# The OCA's checks through pre-commit (.pre-commit-config.yaml): ruff,
# pylint-odoo, oca-checks-odoo-module, oca-checks-po, prettier for XML, README.rst
# generated from readme/, XML validity. Hooks that fix files (ruff, prettier,
# README) leave their fix in the working tree and fail.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
[[ -x "$VENV/bin/pre-commit" ]] || { echo "error: pre-commit is missing from $VENV: run 'make setup'." >&2; exit 1; }
# The hooks run the tools of the virtualenv.
PATH="$VENV/bin:$PATH" "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure --color=never "$@"
echo "lint: clean"
