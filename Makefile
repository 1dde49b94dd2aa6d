# Everything a fresh clone needs: `make demo` and `make test` create the venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes: most of a test's time is spent waiting for Synapse or PostgreSQL, so two
# workers (each with its own Synapse and PostgreSQL) share a 2-core machine well. A file's
# tests stay together in one worker, as their module fixtures (the wheel, the demo) expect.
TEST_WORKERS ?= 2

.PHONY: demo test bench lint typecheck unit docs catalogs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Compiled gettext catalogs are build products: made from the committed .po files.
catalogs: $(STAMP)
	$(BIN)/pybabel compile --domain kuemmerer --directory locale --statistics

demo: $(STAMP) catalogs
	$(BIN)/kuemmerer demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot commands storage tests $(wildcard bench/*.py)

test: $(STAMP) catalogs lint typecheck
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

# Benchmarks on a throwaway Synapse (minutes; not part of `make test`): prints tables and writes
# bench/results/*.json. `make bench BENCH_ARGS=--quick` for a short smoke run.
bench: $(STAMP) catalogs
	$(BIN)/python -m bench $(BENCH_ARGS)

# Regenerates the README's command overview from the registry (a test fails when it is stale).
docs: $(STAMP)
	$(BIN)/python -m bot.devtools.docs --write README.md

# Re-extracts translatable strings into the template and merges them into the catalogs.
extract: $(STAMP)
	$(BIN)/pybabel extract --mapping babel.cfg --keywords N_ --keywords say --keywords ngettext:1,2 \
		--no-location --width 99 --sort-output --project kuemmerer \
		--output-file locale/kuemmerer.pot \
		bot commands storage
	$(BIN)/pybabel update --domain kuemmerer --input-file locale/kuemmerer.pot \
		--output-dir locale --no-fuzzy-matching --width 99

clean:
	rm -rf $(VENV) .demo build *.egg-info
