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
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

setup:  ## Virtualenv with Odoo 18.0 and the tools, PostgreSQL running, Chromium
	@bash tools/setup.sh

lint:  ## The OCA's checks (pre-commit): ruff, pylint-odoo, oca-checks, README.rst
	@bash tools/lint.sh

readme:  ## Write each addon's README.rst from its readme/ fragments
	@. tools/env.sh && "$$VENV/bin/python" tools/gen_addon_readme.py

test:  ## Set-up if needed, lint, then every test of the addons, installed from their wheels
	@bash tools/ensure_setup.sh
	@$(RUN_ENV) bash tools/test.sh

test-quick:  ## As make test without the end-to-end mail scenarios and the demo checks (not for CI)
	@bash tools/ensure_setup.sh
	@$(RUN_ENV) SKIP_E2E=1 SKIP_DEMO_CHECK=1 bash tools/test.sh

run:  ## Set-up if needed, then Odoo on http://localhost:8069 with the addons and demo data (LANG=es: in Spanish; WORKERS=4: prefork behind nginx)
	@bash tools/ensure_setup.sh
	@$(RUN_ENV) bash tools/run.sh

demo-db:  ## Only create or update the database of `make run` (LANG=es: in Spanish)
	@bash tools/ensure_setup.sh
	@$(RUN_ENV) RUN_PREPARE_ONLY=1 bash tools/run.sh

shell:  ## Odoo's Python shell on the database of `make run` (a script on stdin runs)
	@$(RUN_ENV) bash tools/shell.sh

mail:  ## The local mailboxes of `make run` (BOX=address: its last N=3 messages)
	@python3 tools/mail.py read $(BOX) -n $(or $(N),3)

send-mail:  ## Mail support@ of the demo as a customer would (FROM=, SUBJECT=, BODY=, CC=, TO=)
	@python3 tools/mail.py send --from "$(or $(FROM),carmen.diaz@talleres-sur.example.com)" \
		$(if $(TO),--to "$(TO)") $(if $(CC),--cc "$(CC)") \
		--subject "$(or $(SUBJECT),Pump P-12 leaks)" --body "$(or $(BODY),The pump leaks at the coupling.)"

docs:  ## Screenshots of the demo in docs/, taken in headless Chromium
	@$(RUN_ENV) bash tools/docs.sh

bench:  ## Gateway vs crm.lead and OCA helpdesk, a spam flood, then at 1,000,000 cases: gateway, screens, crons, SLA
	@bash tools/bench.sh

bench-cluster:  ## Two prefork servers behind nginx, a cron server and a hot standby on loopback: mail, crons, reports
	@bash tools/bench_cluster.sh

.PHONY: help setup lint readme test test-quick run demo-db shell mail send-mail docs bench bench-cluster
