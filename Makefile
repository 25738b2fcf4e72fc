# `make demo` and `make test` are all a newcomer needs: each creates .venv and installs into it first.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint typecheck unit run bench clean

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

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

run: $(STAMP)
	$(BIN)/lingkar serve

bench: $(STAMP)
	$(BIN)/python bench/formation.py
	$(BIN)/python bench/pairing.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/slack_ack.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache lingkar-demo
