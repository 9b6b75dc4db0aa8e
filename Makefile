# Two commands on a fresh machine with python3 and pip:
#   make lab    - JupyterLab on the student view of the lessons (solutions stripped)
#   make test   - the whole test suite
#   make site   - the course website (student view, executed) in build/site/_build/html
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test student site lint format bench clean lock

# requirements-lock.txt pins the term's versions (constraints); pyproject.toml keeps the ranges.
$(STAMP): pyproject.toml requirements-lock.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements-lock.txt -e ".[dev]"
	touch $(STAMP)

# Re-pin after changing a version range (run at the start of a term, then commit the file).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --upgrade -e ".[dev]"
	( echo "# Pinned versions for this term: make lock regenerates; make test/lab install with -c."; \
	  $(BIN)/python -m pip freeze --exclude-editable | LC_ALL=C sort ) > requirements-lock.txt

student: $(STAMP)
	$(BIN)/course student-view build/student

lab: student
	$(BIN)/course lab build/student

# The website: HUB_URL (the workshop hub for the nbgitpuller links), STUDENT_REPO and
# STUDENT_BRANCH (the course `course publish` wrote) are read from the environment or the command
# line, e.g. make site HUB_URL=https://hub.example.ac.uk. Sphinx warnings are errors.
site: $(STAMP)
	$(BIN)/python site/build.py --strict

# The suite runs in TEST_WORKERS processes at once (pytest-xdist; tests/_parallel.py says how the
# tests are shared out). Most of its time goes on waiting for kernels, servers and a browser, so
# more processes than cores pay. TEST_WORKERS=0 runs everything in one process, as
# `python -m pytest` does; `python -m pytest tests/test_x.py` still runs one file on its own.
TEST_WORKERS ?= 4
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python tools/nbclean.py --check lessons

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/python tools/nbclean.py lessons

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf build .pytest_cache .ruff_cache
