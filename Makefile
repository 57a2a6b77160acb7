# The two commands of the README: `make demo` (set up and solve the bundled sample) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SAMPLE := instances/u16-week.json

.PHONY: demo test lint schemas install bench bench-smoke serve clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,sweep]"
	touch $@

demo: install
	$(BIN)/matcher validate $(SAMPLE)
	$(BIN)/matcher solve $(SAMPLE) --time-limit 30 -o proposal-u16-week.json
	$(BIN)/matcher check $(SAMPLE) proposal-u16-week.json

test: install
	bash scripts/test.sh

# ruff (style and likely bugs) and mypy (types); `make test` runs this first.
lint: install
	bash scripts/lint.sh

# rewrite the committed JSON Schemas after a change to matcher.format (a test fails until they match)
schemas: install
	$(BIN)/matcher schema --all-to schemas

bench: install
	bash scripts/bench.sh

bench-smoke: install
	$(BIN)/pytest benchmarks --benchmark-disable -q -p no:cacheprovider

serve: install
	$(BIN)/matcher serve

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks proposal-u16-week.json
