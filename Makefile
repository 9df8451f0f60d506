# Every target builds .venv from this project's own files first, so a fresh clone needs only
# `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CODE := yspbx tests $(wildcard bench)

.PHONY: run test lint typecheck format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,redis]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/yspbx serve

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

# Benchmarks need wrk (Debian package) and Prism (npm, pinned in bench/package-lock.json).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,redis,bench]'
	command -v wrk >/dev/null || apt-get install -y wrk
	test -x bench/node_modules/.bin/prism || npm ci --prefix bench --silent
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .yspbx .mypy_cache .ruff_cache
