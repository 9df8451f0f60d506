# Every target builds .venv from this project's own files first, so a fresh clone needs only
# `make run` or `make test`. `make run` installs what serving needs (the `server` extra), so the
# first run is quick; the other targets add the test tools (the `test` extra).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
CODE := yspbx tests $(wildcard bench) .ci/wheel_smoke.py
# `make run PORT=9000 HOST=0.0.0.0`; unset, the config's (127.0.0.1:8088).
PORT ?=
HOST ?=

.PHONY: run test lint typecheck format bench dist clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[server]'
	touch $@

# The test extra includes the server's, so it serves `make run` too.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/yspbx serve $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST))

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# The console's browser tests drive Debian's chromium (tests/console); the benchmarks' smoke
# tests (tests/cli/test_bench_smoke.py) drive wrk. The suite runs on every core (pytest-xdist;
# `make test WORKERS=0` runs it in one process); a module's tests stay on one worker, so a
# module's servers start once.
WORKERS ?= auto
test: lint typecheck
	test -x /usr/bin/chromium || apt-get install -y chromium
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist loadscope

format: $(STAMP)
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

# Benchmarks need wrk (Debian package) and Prism (npm, pinned in bench/package-lock.json).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,redis,bench]'
	command -v wrk >/dev/null || apt-get install -y wrk
	test -x bench/node_modules/.bin/prism || npm ci --prefix bench --silent
	$(BIN)/python -m bench

# The wheel and sdist, then the wheel installed into a fresh venv and tried (.ci/wheel-smoke).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	.ci/wheel-smoke dist

clean:
	rm -rf $(VENV) .yspbx .mypy_cache .ruff_cache dist
