# The two commands a new user needs: `make run` and `make test`. Both create .venv and
# install the project with its dev extras on first use (and again when pyproject changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench readbench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/incidents serve

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.crud

# readbench against the service: N incidents (300000), SYSTEMS (R1,S; R1,R2,S with PostgreSQL).
readbench: $(STAMP)
	benchmarks/readbench.sh

clean:
	rm -rf $(VENV) .venv-readbench data .pytest_cache .mypy_cache .ruff_cache
