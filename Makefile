# embedlab — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Real data sets live beside the repository when present (tests skip what is missing).
EMBEDLAB_DATA ?= $(shell [ -d ../shared/datasets ] && cd ../shared/datasets && pwd)
export EMBEDLAB_DATA

.PHONY: run serve test test-fast bench lint install clean browser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: 2.13.0 is the local CPU wheel; any other spec pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[all]'
	$(BIN)/pip install --quiet --group dev
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/embedlab demo

# the demo's embeddings in the web explorer on http://127.0.0.1:8000/explore (Ctrl-C stops it)
serve: $(STAMP)
	$(BIN)/embedlab demo --serve

# Debian's chromium for the explorer's browser tests (skipped, with a warning, without root)
browser:
	@bash .ci/install-chromium.sh

test: $(STAMP) browser
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP) browser
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
