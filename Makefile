# `make demo` and `make test` (ruff, import contracts, mypy, pytest) are all a newcomer needs:
# each creates .venv and installs into it first.
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: browser install translations translations-extract translations-update demo test lint imports typecheck unit run bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) translations

# Translations: each capability keeps its keys in its own domain (circles.po, slack_install.po, ...), English
# is the source of truth. Lingkar also compiles a missing or stale .mo itself, so a fresh clone runs without this.
LOCALES_DIR := bot/kernel/i18n/locales
DOMAINS      = $(sort $(basename $(notdir $(wildcard $(LOCALES_DIR)/en/LC_MESSAGES/*.po))))

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(LOCALES_DIR) -D "$(DOMAINS)"

# Every key the code uses, with where: build/i18n/lingkar.pot (a review aid; keys live in the domain files).
translations-extract: $(STAMP)
	@mkdir -p build/i18n
	$(BIN)/pybabel extract --no-default-keywords -k t -k n:1 -k translate -k translate_n -k UserError \
		-k NotAllowed -o build/i18n/lingkar.pot bot adapters scheduler

# Brings the Indonesian catalogs in step with the English keys of each domain (new keys added empty, removed
# ones marked obsolete); `make translations-update CHECK=--check` only reports whether anything would change.
translations-update: $(STAMP)
	@for domain in $(DOMAINS); do \
		$(BIN)/python -m bot.kernel.i18n.catalog_tool template $$domain build/i18n/$$domain.pot && \
		$(BIN)/pybabel update $(CHECK) --ignore-pot-creation-date --no-wrap -N -l id -i build/i18n/$$domain.pot -d $(LOCALES_DIR) \
			-D $$domain || exit 1; \
	done

demo: $(STAMP)
	$(BIN)/lingkar demo

lint: $(STAMP)
	$(BIN)/ruff check .

# The import contracts in pyproject.toml ([tool.importlinter]); docs/architecture.md explains them.
imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# The dashboard's browser tests need Debian's Chromium: installed with apt-get when it is missing.
browser:
	@scripts/install_chromium.sh

unit: $(STAMP) browser
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
	rm -rf $(VENV) .mypy_cache .ruff_cache .import_linter_cache lingkar-demo build/i18n
	find $(LOCALES_DIR) -name "*.mo" -delete

# Issue 18 (docs/benchmarks.md, "Scale"): seed a company of SCALE_MEMBERS members into SCALE_DATABASE_URL (default
# PostgreSQL `lingkar_bench` on 127.0.0.1:5432, created when missing) and measure it; prints figures only.
SCALE_MEMBERS      ?= 100000
SCALE_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/lingkar_bench
.PHONY: bench-scale
bench-scale: $(STAMP)
	$(BIN)/python bench/scale.py all --members $(SCALE_MEMBERS) --database-url $(SCALE_DATABASE_URL)
