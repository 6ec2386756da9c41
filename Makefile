# Single entry point of the project: see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

setup:  ## Virtualenv with Odoo 18.0 and the tools, PostgreSQL running, Chromium
	@bash tools/setup.sh

lint:  ## ruff, pylint-odoo, XML and .po validity
	@bash tools/lint.sh

test:  ## Lint, then every Odoo test of the addon on a fresh database
	@bash tools/test.sh

run:  ## Odoo on http://localhost:8069 with the addon and its demo data; WORKERS=4 for prefork
	@bash tools/run.sh

bench:  ## Gateway vs crm.lead and OCA helpdesk; follow-up crons on 1,000,000 cases
	@bash tools/bench.sh

.PHONY: help setup lint test run bench
