# kkbweb: `make run` serves the app on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev lint format migrate-check demo clean \
	bench bench-weight bench-latency bench-load bench-browser bench-growth bench-upload \
	bench-contention

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.dev-installed

## Apply migrations, seed the 12 Pokja and a first admin, then serve on :5000.
## One gunicorn process with threads: SQLite and the in-process login counters
## need nothing else (deploy/ has the several-worker set-up). No recycling: with a
## single worker every restart would stall each request in flight.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) \
		--workers 1 --threads 8 --max-requests 0 wsgi:app

## Add demo users and records (prints the demo password).
demo: install
	$(FLASK) db upgrade
	$(FLASK) demo-data

## The whole suite, browser tests included; TEST_DATABASE_URL selects PostgreSQL.
## One pytest-xdist worker per core (TEST_WORKERS=0 runs in one process).
TEST_WORKERS ?= auto
test: install-dev
	@bash .ci/install-system.sh || echo "!! Chromium could not be installed: browser tests will be skipped (CI requires them)."
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

## Benchmarks (bench/, docs/PERFORMANCE.md): print a table, write bench/results/*.json.
## BENCH_ARGS passes options, e.g. `make bench-load BENCH_ARGS="--db postgresql"`.
bench: bench-weight bench-latency bench-load bench-browser bench-growth bench-upload \
	bench-contention

bench-weight: install-dev
	$(BIN)/python -m bench.page_weight $(BENCH_ARGS)

bench-latency: install-dev
	@bash .ci/install-system.sh wrk >/dev/null || echo "!! no wrk: the Python client is used"
	$(BIN)/python -m bench.latency $(BENCH_ARGS)

bench-load: install-dev
	$(BIN)/python -m bench.load $(BENCH_ARGS)

bench-browser: install-dev
	@bash .ci/install-system.sh >/dev/null
	$(BIN)/python -m bench.browser $(BENCH_ARGS)

bench-growth: install-dev
	$(BIN)/python -m bench.growth $(BENCH_ARGS)

bench-upload: install-dev
	$(BIN)/python -m bench.upload $(BENCH_ARGS)

## Writers at concurrency 1, 4, 8 vs the floor (make run's server and the deploy
## config), e.g. BENCH_ARGS="--db postgresql --setup deploy" or "--queue both --timing".
bench-contention: install-dev
	$(BIN)/python -m bench.contention $(BENCH_ARGS)

## ruff, and the layer contracts of docs/ARCHITECTURE.md (import-linter).
lint: install-dev
	$(BIN)/ruff check kkbweb tests bench wsgi.py
	$(BIN)/ruff format --check kkbweb tests bench wsgi.py
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format kkbweb tests bench wsgi.py
	$(BIN)/ruff check --fix kkbweb tests bench wsgi.py

clean:
	rm -rf $(VENV)
