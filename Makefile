# recp: `make demo` and `make test` work on a fresh machine with only Python 3.11+ and make.
# Every package comes from the lock files, installed by uv from the package registry alone:
#   tools/uv.txt            uv itself (exact version, hashes), installed with pip into .uv/
#   uv.lock                 the demo, test and lint environment (.venv), `uv sync --frozen`
#   requirements/lowest.txt the lowest versions pyproject.toml allows (.venv-lowest)
# `make lock` refreshes them; nothing else ever changes them.
PYTHON ?= python3
UVDIR  := .uv
UV     := $(UVDIR)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.recp-synced
LOWEST := .venv-lowest
PYDIRS := src tests benchmarks fuzz tools

# uv: the project's environment is .venv; never download a Python, use $(PYTHON).
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1
# Compile the installed packages' bytecode once at install (as pip does): where Python may not
# write .pyc files (PYTHONDONTWRITEBYTECODE), every run would compile them again (+0.8 s).
export UV_COMPILE_BYTECODE := 1

.PHONY: demo test test-lowest lint check-install lock bench bench-batch clean browser office

$(UV): tools/uv.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "recp needs Python 3.11 or newer")'
	$(PYTHON) -m venv --clear $(UVDIR)
	$(UVDIR)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
	  --no-deps -r tools/uv.txt
	@touch $(UV)

# The locked environment: exactly the pins of uv.lock (packages not in it are removed).
$(STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet --python $(PYTHON)
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/recp assess scenarios/textile-dyeing-bd.yaml

test: $(STAMP) browser office
	$(BIN)/python -m pytest

# The unit tests on the lowest versions pyproject.toml allows (its lower bounds are tested).
$(LOWEST)/.recp-synced: $(UV) requirements/lowest.txt pyproject.toml
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(LOWEST)
	$(UV) pip sync --quiet --python $(LOWEST)/bin/python --require-hashes requirements/lowest.txt
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --no-deps -e .
	@touch $@

test-lowest: $(LOWEST)/.recp-synced
	$(LOWEST)/bin/python -m pytest -m "not slow and not locked" -p no:cacheprovider -q

# The installed environment is byte for byte the locked set: `pip freeze` == uv.lock's pins.
check-install: $(STAMP)
	$(BIN)/python tools/check_install.py

# Lint gate: every tool runs, whichever fails; the exit code says if any did.
lint: $(STAMP)
	@status=0; \
	echo "ruff check";        $(BIN)/ruff check $(PYDIRS)          || status=1; \
	echo "ruff format";       $(BIN)/ruff format --check $(PYDIRS) || status=1; \
	echo "mypy --strict";     $(BIN)/mypy                          || status=1; \
	echo "import layers";     $(BIN)/lint-imports --no-cache       || status=1; \
	echo "architecture";      $(BIN)/python tools/check_architecture.py || status=1; \
	echo "uv lock --check";   $(UV) lock --check --quiet           || status=1; \
	exit $$status

# Refresh the locks deliberately: newest allowed versions into uv.lock, lowest into
# requirements/lowest.txt. Review the diff, run `make test test-lowest`, commit both.
lock: $(UV)
	$(UV) lock --upgrade
	$(UV) pip compile pyproject.toml --group test --resolution lowest-direct \
	  --python-version 3.11 --generate-hashes --no-header --quiet -o requirements/lowest.txt

# The HTML-report tests render in a real headless Chromium (Debian's package), with CJK fonts
# for the Chinese report and Noto (Arabic, Cyrillic, Latin: fonts-noto-core) for the others.
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . \
	  && fc-list :lang=ar 2>/dev/null | grep -q . ; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium, CJK and Arabic fonts for the report tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	      fonts-noto-cjk fonts-noto-core >/dev/null; \
	  else echo "note: chromium, CJK or Arabic fonts missing and cannot be installed here; browser tests will say so"; fi; }

# The Excel-report tests recalculate the workbooks in headless LibreOffice (Debian's
# libreoffice-calc) and compare its results with recp's.
office:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's libreoffice-calc for the Excel recalculation tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null; \
	  else echo "note: LibreOffice (soffice) missing and cannot be installed here; recalculation tests will say so"; fi; }

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_batch.py
	$(BIN)/python benchmarks/bench_serve.py
	$(BIN)/python benchmarks/bench_uncertainty.py

# the batch benchmark alone; PLANTS=200000 is 1,000,000 plant-scenarios
bench-batch: $(STAMP)
	$(BIN)/python benchmarks/bench_batch.py --plants $(or $(PLANTS),200000)

clean:
	rm -rf $(VENV) $(LOWEST) $(UVDIR) build dist .pytest_cache .hypothesis
