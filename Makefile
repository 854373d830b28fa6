# `make render` and `make test` set everything up on a fresh machine (Python >= 3.11).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: render test lint bench docs image-check clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

render: $(BIN)/.installed  ## set up and render examples/hello to hello.mp4
	$(BIN)/parareel render examples/hello/project.py -o hello.mp4 --workers auto

test: $(BIN)/.installed  ## set up, lint, and run the tests
	$(BIN)/ruff check src tests bench examples docs
	$(BIN)/pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench examples docs

bench: $(BIN)/.installed  ## print the benchmark ratios (takes minutes)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

docs: $(BIN)/.installed  ## build the reference into docs/site (from the docstrings)
	$(BIN)/python docs/build.py docs/site

image-check: $(BIN)/.installed  ## build the Lambda image with podman and run it (root, minutes)
	bash deploy/image-check.sh

clean:
	rm -rf $(VENV) hello.mp4 .pytest_cache .ruff_cache .cache docs/site
