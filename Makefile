# Two commands on a fresh machine with python3 and pip:
#   make lab    - JupyterLab on the student view of the lessons (solutions stripped)
#   make test   - the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test student lint format bench clean notebooks-clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

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
