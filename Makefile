# arrears — every target bootstraps its own virtual environment (.venv) with uv and the lock file.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV_VERSION := 0.13.8
BOOT := .bootstrap
UV := $(BOOT)/bin/uv
VENV := .venv
RUN := $(UV) run --frozen --no-sync
DEMO_DIR ?= demo-data
DEMO_ACCOUNTS ?= 5000
DEMO_AS_OF ?= 2026-11-23
TEST_WORKERS ?= 2# pytest-xdist processes for make test (0: in this process)
DEMO_SERVE ?= 1

.PHONY: help venv demo test test-unit test-integration lint fmt bench clean i18n i18n-extract

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(UV):
	@$(PYTHON) -m venv $(BOOT)
	@$(BOOT)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	@$(UV) sync --frozen --quiet
	@touch $@

venv: $(VENV)/.synced ## create .venv from the lock file

demo: venv ## SQLite database, generated portfolio, import, nightly cycle, buckets and the day per stage
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@$(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db db upgrade
	@$(RUN) arrears generate --accounts $(DEMO_ACCOUNTS) --as-of $(DEMO_AS_OF) --out $(DEMO_DIR)/portfolio
	@for kind in borrowers related-parties loans installments payments; do \
	  $(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db import $$kind $(DEMO_DIR)/portfolio/$$kind.csv || exit 1; \
	done
	@$(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db collectors seed-demo --count 12
	@$(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db cycle --as-of $(DEMO_AS_OF)
	@$(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db report buckets --as-of $(DEMO_AS_OF)
	@COLUMNS=140 $(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db report day --as-of $(DEMO_AS_OF)
	@$(MAKE) --no-print-directory i18n
	@$(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db desk seed-users
	@if [ "$(DEMO_SERVE)" != "0" ]; then \
	  echo "The desk: http://127.0.0.1:8000/desk (log in with a user above; Ctrl-C stops it)"; \
	  $(RUN) arrears --database-url sqlite:///$(DEMO_DIR)/arrears.db serve --host 127.0.0.1 --port 8000; \
	fi

i18n: venv ## compile the desk's message catalogs (.po -> .mo, pybabel)
	@$(RUN) pybabel compile -d src/arrears/locale -D messages --use-fuzzy --statistics 2>&1 | grep -v '^compiling' || true

i18n-extract: venv ## re-extract the desk's strings into src/arrears/locale/messages.pot
	@$(RUN) pybabel extract -F src/arrears/locale/babel.cfg --no-location --sort-output --omit-header \
	  -o src/arrears/locale/messages.pot src/arrears/entrypoints/web

test: venv ## all tiers: unit, integration (SQLite + PostgreSQL when reachable), e2e
	@$(RUN) python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-unit: venv ## the unit tier only (seconds)
	@$(RUN) python -m pytest -q tests/unit

test-integration: venv ## the integration tier only
	@$(RUN) python -m pytest -q tests/integration

lint: venv ## ruff and mypy --strict
	@$(RUN) ruff check src tests bench
	@$(RUN) ruff format --check src tests bench
	@$(RUN) mypy

fmt: venv ## apply ruff's fixes and formatting
	@$(RUN) ruff check --fix src tests bench
	@$(RUN) ruff format src tests bench

bench: venv ## benchmarks; results go to bench/results/
	@$(RUN) python -m bench.run

clean: ## remove the environments and demo data
	rm -rf $(BOOT) $(VENV) $(DEMO_DIR)
