# The two commands a newcomer needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app fanhub

.PHONY: install run test lint format bench bench-embed bench-desk clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "fanhub is serving the demo at http://127.0.0.1:5000 (Ctrl-C stops it)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# SQLite always; PostgreSQL as well when TEST_DATABASE_URL names a server we may create
# databases on (each run creates its own and drops it at the end).
test: install
	FANHUB_TEST_BACKEND=sqlite $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL =="; \
		FANHUB_TEST_BACKEND=postgresql $(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL run was skipped."; \
	fi

lint: install
	$(BIN)/ruff check fanhub tests bench
	$(BIN)/ruff format --check fanhub tests bench

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
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
