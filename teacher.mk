# The teacher's kit (issue 22): included at the end of the Makefile. docs/RELEASING.md and
# how-to-use.md ("Teach with this course") say what each target is for.

.PHONY: student-book test-teacher test-colab-stack colab-stack-venv

# The book copies MathJax from node_modules into the site (tools/offline_assets.py).
book: node_modules/.package-lock.json

# The site without any solution page or link to one, into _build/student/html. Reuses the
# main build's execution cache: run after `make book` to execute nothing again.
student-book: $(STAMP) node_modules/.package-lock.json
	$(BIN)/python tools/student_book.py --out _build/student

# The teacher's kit tests: release metadata (fast), the offline pages and the student
# build on small books (slow: about 30 s; the network-cut check needs Chromium).
test-teacher: $(STAMP) node_modules/.package-lock.json
	$(BIN)/python -m pytest tests/teacher -m "slow or not slow"

# Colab's stack (googlecolab/colabtools #5489): the small papermill runs of every chapter
# and solution, on the versions Colab ships, in a venv of their own. CI runs the same
# (ci.yml, job colab-stack); the weekly workflow colab-latest runs the newest releases.
COLAB_VENV := .venv-colab
COLAB_PINS ?= tensorflow==2.19.0 keras==3.10.0 numpy==2.0.2
colab-stack-venv: $(COLAB_VENV)/.installed

$(COLAB_VENV)/.installed: requirements.txt pyproject.toml
	test -x $(COLAB_VENV)/bin/python || $(PYTHON) -m venv $(COLAB_VENV)
	grep -vE '^(tensorflow|keras|numpy)==' requirements.txt > $(COLAB_VENV)/requirements.txt
	$(COLAB_VENV)/bin/python -m pip install --quiet -r $(COLAB_VENV)/requirements.txt $(COLAB_PINS)
	$(COLAB_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

test-colab-stack: colab-stack-venv
	PATH="$(abspath $(COLAB_VENV))/bin:$$PATH" $(COLAB_VENV)/bin/python -m pytest tests/chapters \
	  -m "not full_size"
