# The course's commands. `make book` and `make test` do all set-up themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Quiet TensorFlow's C++ start-up logging in every process these targets start.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONUNBUFFERED := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Kernels started by papermill, nbval and the book resolve "python" to the venv's.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help venv book test lint exercises learner lab bench lock clean site-deps

help:
	@echo "make book       build the executed site into _build/html"
	@echo "make test       lint, unit tests, notebook runs (nbval + papermill), site checks"
	@echo "make lab        JupyterLab with the course's environment, on the learner notebooks"
	@echo "make learner    the learner notebooks (plain Markdown, pinned helper) in learner/"
	@echo "make exercises  regenerate exercises/ from solutions/"
	@echo "make bench      chapter 6 benchmark (accuracy, parameters, time) to bench/results/"

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going

lint: $(STAMP)
	rm -rf $(IPYNB) && $(BIN)/python tools/notebook_files.py ipynb $(IPYNB)
	$(BIN)/ruff check . $(IPYNB)

exercises: $(STAMP)
	$(BIN)/python tools/exercises.py solutions exercises

# What `make test` runs, in order (CONTRIBUTING.md says what each stage covers and how long
# it takes). Stage 1: the fast tests, every notebook's small papermill run and its claims,
# and nbval's one full-size run of every notebook, whose outputs the root conftest.py hands
# to the book build. Stage 2: the book, then the site in a browser and the claims checked
# on the book's full-size run.
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=1800
# nbval and ruff read Jupyter files: the Jupyter copies of the MyST sources (generated).
IPYNB := _build/ipynb
test: $(STAMP)
	$(BIN)/python tools/exercises.py solutions exercises --check
	rm -rf $(IPYNB) && $(BIN)/python tools/notebook_files.py ipynb $(IPYNB)
	$(BIN)/ruff check . $(IPYNB)
	$(BIN)/python tools/set_repository_url.py --check
	$(BIN)/python -m pytest tests/package tests/checks tests/chapters -m "not full_size" \
	  $(NBVAL) $(IPYNB)
	$(MAKE) book site-deps
	$(BIN)/python tools/notebook_times.py
	$(BIN)/python -m pytest tests/chapters -m full_size
	$(BIN)/python -m pytest tests/site

# The site checks need Debian's Chromium and the npm packages (axe-core, MathJax).
SUDO := $(shell [ "$$(id -u)" -ne 0 ] && command -v sudo)
site-deps: node_modules/.package-lock.json
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium; } || \
	  echo "Chromium could not be installed: the browser checks will be skipped"

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Chapter 6's benchmark on the full data: accuracy, parameters, training time per model
# (median of REPEATS runs), JSON in bench/results/. Takes a while; not part of `make test`.
REPEATS ?= 3
bench: $(STAMP)
	$(BIN)/python bench/imdb_bench.py --repeats $(REPEATS) --notebooks

# The learner notebooks: chapters, exercises and solutions with their MyST roles and
# directives written as plain Markdown, the book's numbers quoted (if `make book` ran),
# the helper pinned to this commit. The launch buttons open the same files (CONTRIBUTING).
learner: $(STAMP)
	$(BIN)/python tools/learner_notebooks.py --out learner

lab: learner
	$(BIN)/jupyter lab --ServerApp.root_dir=learner

lock: $(STAMP)
	(echo "# Full lock of every installed package (pip freeze). Regenerate with \`make lock\`."; \
	 $(BIN)/python -m pip freeze --exclude-editable) > constraints.txt

clean:
	rm -rf _build

include teacher.mk
