# Two commands on a fresh machine with python3 and pip:
#   make lab    - JupyterLab on the student view of the lessons (solutions stripped)
#   make test   - the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test student lint format bench clean lock

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

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
