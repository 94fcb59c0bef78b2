# Entry points, each doing its own set-up on a fresh Debian machine with Python 3.11:
#   make book           builds the site into _build/html (EXPERIMENT_SEED=n: every experiment under seed n)
#   make test           builds the site and the student edition, then runs every test (browser tests included)
#   make assignments    an otter-grader assignment per chapter in _build/assignments (SEED=n: a course's numbers;
#                       MODE=exam: no answers on the students' side; CHAPTER=name, OUT=folder)
#   make grade          grade SUBMISSION=... of CHAPTER=... as Gradescope would, in the autograder zip's environment
#   make student-site   the book without its solutions, in _build/student/html
# and, while you work, make test-fast: ruff and the tests that need no site build and no browser.
# Everything is installed into .venv; nothing is installed system-wide except Debian's chromium.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
VENDORED := frontend/vendor/.vendored

.PHONY: book test test-fast lint chromium clean assignments grade student-site

# The book's matrices are small: BLAS threads only fight each other on a two-core machine
# (measured: 50 training steps of a small RNN took 0.6 s with one thread and 10.9 s with two, under load).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

$(INSTALLED): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(VENDORED): $(INSTALLED) frontend/package.json frontend/package-lock.json frontend/vendor.py
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	$(BIN)/python frontend/vendor.py
	touch $@

# The execution cache keys each notebook by its own content only, so a change to the library the
# notebooks import (or to a widget's front end) would leave stale outputs on the pages: start afresh.
LIBRARY := $(wildcard cells/*.py widgets/*.py widgets/*.js widgets/*.css exercises/*.py)
LIBRARY_STAMP := _build/.library-stamp
$(LIBRARY_STAMP): $(LIBRARY)
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache
	mkdir -p _build && touch $@

# The site's own Sphinx extensions and static files (math, icons, page metadata, styles) change how every
# page is written, not what the notebooks compute: rewrite every page, keep the execution cache.
FRONTEND_CODE := $(wildcard frontend/*.py frontend/*.js frontend/static/*)
FRONTEND_STAMP := _build/.frontend-stamp
$(FRONTEND_STAMP): $(FRONTEND_CODE) _config.yml
	rm -rf _build/html _build/.doctrees
	mkdir -p _build && touch $@

# One experiment seed for the whole book (cells.experiments.seed); 0 gives the book's own pages. The
# execution cache does not see the environment, so a build under another seed starts afresh.
EXPERIMENT_SEED ?= $(or $(UNROLLED_EXPERIMENT_SEED),0)
export UNROLLED_EXPERIMENT_SEED := $(EXPERIMENT_SEED)
SEED_STAMP := _build/.experiment-seed-$(EXPERIMENT_SEED)
$(SEED_STAMP):
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache _build/.experiment-seed-*
	mkdir -p _build && touch $@

book: $(INSTALLED) $(VENDORED) $(LIBRARY_STAMP) $(FRONTEND_STAMP) $(SEED_STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "The site is in _build/html. Open _build/html/index.html, or serve it: $(BIN)/python -m http.server -d _build/html 8000"

# Debian's Chromium for the browser tests (never a browser downloaded by playwright).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# Lint first: it takes a second and names the file and line.
lint: $(INSTALLED)
	$(BIN)/ruff check .

# The tests run in TEST_WORKERS processes (pytest-xdist), one per core of the two-core machine CI runs on, each
# taking whole files in collection order; tests/conftest.py puts the longest first (tests/test_readers_machines.py:
# every chapter executed twice with two BLAS threads, one after another). TEST_WORKERS=0 runs everything in this process.
# Not --dist loadgroup: pytest-xdist 3.8 groups by rewriting a node id that pytest 9.2 no longer reads.
TEST_WORKERS ?= 2
test: lint book student-site chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# Everything except the browser tests over the built site (tests/site) and the slow Colab simulation,
# which executes every chapter from a built wheel. Needs only the virtual environment.
test-fast: lint
	$(BIN)/python -m pytest --ignore=tests/site -m "not slow"

# The course kit (course/, see book/instructors.md). SEED=0 (the practice default) keeps the book's numbers;
# MODE=exam draws a random seed unless SEED is given. CHAPTER=lstm builds one chapter; OUT=dir writes elsewhere.
SEED ?=
MODE ?= practice
CHAPTER ?=
OUT ?= _build/assignments
assignments: $(INSTALLED)
	$(BIN)/python -m course.assignments --mode $(MODE) --out $(OUT) $(if $(SEED),--seed $(SEED)) $(if $(CHAPTER),--chapter $(CHAPTER))
	@echo "Assignments are in $(OUT)/<chapter>/: student/ to hand out, autograder/ for Gradescope or make grade."

# One submission graded as on Gradescope: in a virtual environment made from the autograder zip's own
# environment.yml (Python 3.13, otter, numpy, tqdm; from PyPI, once, in _build/grading-env), not in .venv.
SUBMISSION ?=
GRADING_PYTHON ?=
grade: $(INSTALLED)
	@test -n "$(SUBMISSION)" -a -n "$(CHAPTER)" || { echo "usage: make grade SUBMISSION=notebook.ipynb CHAPTER=lstm [OUT=_build/assignments]"; exit 2; }
	GRADING_PYTHON="$(GRADING_PYTHON)" $(BIN)/python -m course.grade --chapter $(CHAPTER) --assignments $(OUT) "$(SUBMISSION)"

# The book without solutions, built from the public build's executed notebooks (nothing runs twice).
# STUDENT_REPOSITORY=https://github.com/<owner>/<name>: where the course publishes _build/student/source.
STUDENT_REPOSITORY ?=
student-site: book
	STUDENT_REPOSITORY="$(STUDENT_REPOSITORY)" $(BIN)/python -m course.student_site

clean:
	rm -rf _build frontend/vendor
