# The two commands of README.md: `make run` and `make test`. Both set up .venv on a fresh machine
# (Python 3.11 is the only thing assumed) and are quick when it is already set up.
#
# `make run` installs what serving needs (newsbrief and its `web` extra); `make test` adds the rest (every
# extra and the dev group: the linters, pytest, Playwright, Dask, PostgreSQL's driver). Each has its stamp;
# a `make test` install covers `make run` too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
PIP_VERSION := 26.3
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test lint types unit install install-run clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) "pip==$(PIP_VERSION)"

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e ".[web]"
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e ".[all]" --group dev
	touch $(TEST_STAMP) $(RUN_STAMP)

install-run: $(RUN_STAMP)

install: $(TEST_STAMP)

# --run-command: a taken port is reported as "port 8000 is busy: NEWSBRIEF_PORT=8001 make run".
run: $(RUN_STAMP)
	$(BIN)/newsbrief serve --samples --run-command "make run"

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

types: $(TEST_STAMP)
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/pytest -q

test: lint types unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
