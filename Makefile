# recp: `make demo` and `make test` work on a fresh machine with only Python 3.11+:
# they create .venv and install recp (editable) with its test tools into it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.recp-installed

.PHONY: demo test bench bench-batch lint clean browser

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "recp needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/recp assess scenarios/textile-dyeing-bd.yaml

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The HTML-report tests render in a real headless Chromium (Debian's package), with CJK fonts
# for the Chinese report.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium and CJK fonts for the report tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "note: chromium or CJK fonts missing and cannot be installed here; browser tests will say so"; fi; }

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_batch.py

# the batch benchmark alone; PLANTS=200000 is 1,000,000 plant-scenarios
bench-batch: $(STAMP)
	$(BIN)/python benchmarks/bench_batch.py --plants $(or $(PLANTS),200000)

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff mypy types-PyYAML
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis
