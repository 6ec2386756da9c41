# Single entry point of the project: see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

setup:  ## Virtualenv with Odoo 18.0 and the tools, PostgreSQL running, Chromium
	@bash tools/setup.sh

lint:  ## The OCA's checks (pre-commit): ruff, pylint-odoo, oca-checks, README.rst
	@bash tools/lint.sh

readme:  ## Write each addon's README.rst from its readme/ fragments
	@. tools/env.sh && "$$VENV/bin/python" tools/gen_addon_readme.py

test:  ## Lint, then every Odoo test of the addons, installed from their wheels
	@bash tools/test.sh

run:  ## Odoo on http://localhost:8069 with the addon and its demo data
	@bash tools/run.sh

bench:  ## Gateway vs crm.lead and OCA helpdesk; follow-up crons on 1,000,000 cases
	@bash tools/bench.sh

.PHONY: help setup lint readme test run bench
