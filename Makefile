# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app fanhub

.PHONY: install run test test-clock lint format bench bench-embed bench-desk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The browser checks' tools from the npm registry (package.json): axe-core and the Nu HTML
# Checker. --ignore-scripts: vnu-jar's install script would download a Java runtime; Debian's
# default-jre-headless runs it. Without npm the crawl skips (CI=true fails it instead).
NPM_STAMP := node_modules/.installed-stamp

$(NPM_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch $(NPM_STAMP); \
	else \
		echo "npm is not installed: tests/browser/test_crawl.py will be skipped" \
			"(apt-get install nodejs npm default-jre-headless)."; \
	fi

install: $(STAMP) $(NPM_STAMP)

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "fanhub is serving the demo at http://127.0.0.1:5000 (Ctrl-C stops it)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL names a server we may create
# databases on (each run creates its own and drops it at the end). Under CI=true a missing
# TEST_DATABASE_URL is an error, not a skip: CI must never go green on SQLite alone.
test: install
	FANHUB_TEST_BACKEND=sqlite $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		FANHUB_TEST_BACKEND=postgresql $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI=true but TEST_DATABASE_URL is not set: the PostgreSQL run can't be skipped here." >&2; \
		exit 1; \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL run was skipped."; \
	fi

# The SQLite suite again on two other days: 400 days from now, and the last second of a
# 29 February (issue 11: time is an input, so the suite must pass on any day).
test-clock: install
	@echo "== the SQLite suite 400 days from now =="
	FANHUB_TEST_BACKEND=sqlite FANHUB_TEST_CLOCK_SHIFT_DAYS=400 $(BIN)/pytest $(PYTEST_ARGS)
	@echo "== the SQLite suite starting each test at 2028-02-29 23:59:59 UTC =="
	FANHUB_TEST_BACKEND=sqlite FANHUB_TEST_CLOCK=2028-02-29T23:59:59Z $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check fanhub tests bench
	$(BIN)/ruff format --check fanhub tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format fanhub tests bench
	$(BIN)/ruff check --fix fanhub tests bench

# Builds the 100,000-post data set, serves it with gunicorn and loads it with wrk (see bench/README.md).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The review widget's JSON and iframe page against a bare Flask app, same run (bench/README.md).
bench-embed: install
	$(BIN)/python -m bench.embed $(BENCH_ARGS)

# The staff desk, signed in as bigbrand's staff, at 7, 30 and 90 days against a bare Flask app (docs/performance.md).
bench-desk: install
	$(BIN)/python -m bench.desk $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules test-artifacts .pytest_cache .ruff_cache
