# `make demo` and `make test` (ruff, import contracts, mypy, pytest) are all a newcomer needs:
# each creates .venv and installs into it first.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint imports typecheck unit run bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lingkar demo

lint: $(STAMP)
	$(BIN)/ruff check .

# The import contracts in pyproject.toml ([tool.importlinter]); docs/architecture.md explains them.
imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint imports typecheck unit

run: $(STAMP)
	$(BIN)/lingkar serve

bench: $(STAMP)
	$(BIN)/python bench/formation.py
	$(BIN)/python bench/pairing.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/slack_ack.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .import_linter_cache lingkar-demo
