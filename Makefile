# Quick start: `make run` opens the console, `make test` runs the whole suite.
# Both create .venv on first use and install tunedeck into it.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tunedeck

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check engine tui tests bench
	$(BIN)/ruff format --check engine tui tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info
