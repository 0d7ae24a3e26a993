# dieuhanh: two commands set everything up. `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: help run chromium libreoffice faketime test test-sqlite test-postgres lint typecheck-js duplicates migrate seed-demo verify-audit backup bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

run: $(STAMP) ## Migrate SQLite, load the demo commune when empty, print demo logins, serve on :8000
	$(BIN)/python -m server run-dev --host 127.0.0.1 --port 8000

chromium: ## Install Debian's Chromium for the browser tests when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian's packages for the browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

libreoffice: ## Install LibreOffice Calc (headless) for the Excel-to-PDF test when it is missing
	@command -v libreoffice >/dev/null 2>&1 || command -v soffice >/dev/null 2>&1 || { \
	  echo "Installing LibreOffice Calc from Debian's packages for the Excel-to-PDF test…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends libreoffice-calc-nogui >/dev/null; } || \
	  echo "NOTE: LibreOffice could not be installed here: the Excel-to-PDF test will be skipped."; }

faketime: ## Install Debian's libfaketime, which moves the clock of the SQLite half of the suite
	@command -v faketime >/dev/null 2>&1 || { \
	  echo "Installing faketime from Debian's packages: the SQLite half of the suite runs at another hour…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq faketime >/dev/null; } || \
	  echo "NOTE: faketime could not be installed here: the SQLite half runs at the real hour."; }

test: $(TEST_STAMP) chromium libreoffice faketime ## Run every test: unit, API, browser, on SQLite and on PostgreSQL
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory typecheck-js
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import asyncio,asyncpg,sys; asyncio.run(asyncpg.connect('$(PG_URL)', timeout=3))" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
	  echo "FAIL: PostgreSQL does not answer at $(PG_URL), and REQUIRE_POSTGRES is set"; exit 1; \
	else \
	  echo ""; echo "NOTE: no PostgreSQL server answers at $(PG_URL): only the SQLite half ran."; \
	  echo "      Start PostgreSQL (or set PG_URL) to run the PostgreSQL half."; \
	fi

# The SQLite half runs with the clock moved to the other half of Vietnam's day from the real hour (see
# tests/clock_shift.py), the PostgreSQL half at the real hour: a test that depends on the hour fails here,
# whenever `make test` runs, and not only in a CI run at the wrong hour.
test-sqlite: $(TEST_STAMP) ## The whole suite on SQLite, at a moved hour when faketime is installed
	@if command -v faketime >/dev/null 2>&1 && [ -z "$$NO_CLOCK_SHIFT" ]; then \
	  echo "== tests on SQLite, the clock moved to $$($(BIN)/python tests/clock_shift.py --describe) =="; \
	  faketime -f "$$($(BIN)/python tests/clock_shift.py)" $(BIN)/pytest -q -p no:randomly; \
	else \
	  echo "== tests on SQLite =="; \
	  $(BIN)/pytest -q -p no:randomly; \
	fi

test-postgres: $(TEST_STAMP) ## The whole suite on PostgreSQL (a fresh database, dropped afterwards)
	@echo "== tests on PostgreSQL =="
	TEST_DATABASE=postgres TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -q -p no:randomly

lint: $(TEST_STAMP) ## ruff, lint-imports (the layers, no import cycle: .importlinter), tsc on the app's JavaScript
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory typecheck-js

# The app's JavaScript is checked, not built: `// @ts-check` and JSDoc in every file. The JavaScript tools come
# from the npm registry into a node_modules/ that git ignores, pinned here like the Python tools in pyproject.toml,
# and installed together (npm --no-save removes whatever the same command does not name).
JS_TOOLS := typescript@5.6.3 jscpd@4.0.5
JS_STAMP := node_modules/.installed-$(subst @,-,$(subst $() ,_,$(JS_TOOLS)))
$(JS_STAMP):
	npm install --no-save --no-audit --no-fund $(JS_TOOLS)
	@touch $@

typecheck-js: $(JS_STAMP) ## tsc --noEmit on the app's page modules and on its service worker
	node_modules/.bin/tsc --noEmit -p pwa/tsconfig.json
	node_modules/.bin/tsc --noEmit -p pwa/tsconfig.sw.json

# Duplicated code in the Python and the JavaScript we write (migrations, locale catalogs and vendored code left
# out), counted by jscpd at its default thresholds; the figures are in docs/architecture.md.
duplicates: $(JS_STAMP) ## Count duplicated code (jscpd, Python and JavaScript together)
	node_modules/.bin/jscpd --silent --format python,javascript --reporters console \
	  --ignore "**/piccolo_migrations/**,**/locale/**,**/vendor/**,**/node_modules/**" \
	  server citizen_portal pwa bench tests

migrate: $(STAMP) ## Run the migrations forwards on DATABASE_URL (default: the SQLite file in var/)
	$(BIN)/python -m server migrate

seed-demo: $(STAMP) ## Load the demo commune into an empty database
	$(BIN)/python -m server seed-demo

verify-audit: $(STAMP) ## Check the audit log's hash chain and name the first broken entry
	$(BIN)/python -m server verify-audit

BACKUP ?= backups/dieuhanh-$(shell date -u +%Y%m%dT%H%M%SZ).tar.gz
backup: $(STAMP) ## One archive of the database, stored files and mail sink (BACKUP=path; no secrets)
	$(BIN)/python -m server backup --check $(BACKUP)

bench: $(TEST_STAMP) ## Benchmarks (see bench/README.md); figures go to docs/benchmarks.md
	$(BIN)/python -m bench.run --database-url $${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dieuhanh_bench}

clean: ## Remove the environment and local data
	rm -rf $(VENV) var
