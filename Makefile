# Single entry point of the project: see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# `make run LANG=es`: LANG given on make's command line is the demo's language,
# not the locale that LANG also names in the environment, which the scripts
# then get back as C.UTF-8.
ifeq ($(origin LANG),command line)
export RUN_LANG := $(LANG)
RUN_ENV := LANG=C.UTF-8
endif

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

setup:  ## Virtualenv with Odoo 18.0 and the tools, PostgreSQL running, Chromium
	@bash tools/setup.sh

lint:  ## ruff, pylint-odoo, XML and .po validity
	@bash tools/lint.sh

test:  ## Lint, then every Odoo test of the addon on a fresh database
	@$(RUN_ENV) bash tools/test.sh

run:  ## Odoo on http://localhost:8069 with the addon, Purchase and demo data (LANG=es: in Spanish; WORKERS=4: prefork)
	@$(RUN_ENV) bash tools/run.sh

demo-db:  ## Only create or update the database of `make run` (LANG=es: in Spanish)
	@$(RUN_ENV) RUN_PREPARE_ONLY=1 bash tools/run.sh

shell:  ## Odoo's Python shell on the database of `make run` (a script on stdin runs)
	@$(RUN_ENV) bash tools/shell.sh

docs:  ## Screenshots of the demo in docs/, taken in headless Chromium
	@$(RUN_ENV) bash tools/docs.sh

bench:  ## Gateway vs crm.lead and OCA helpdesk; follow-up crons on 1,000,000 cases
	@bash tools/bench.sh

bench-cluster:  ## Two prefork servers, a cron server and a hot standby on loopback: mail, crons, reports
	@bash tools/bench_cluster.sh

.PHONY: help setup lint test run demo-db shell docs bench bench-cluster
