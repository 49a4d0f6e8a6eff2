# The two commands a fresh machine needs:
#   make serve   set up, then run the HTTP API on the embedded default stack (port 9595)
#   make test    set up, start PostgreSQL/Redis if they are down, run every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup serve test services clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements-dev.txt constraints.txt plugins/*/pyproject.toml examples/*/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	touch $(STAMP)

serve: setup
	$(BIN)/soma serve

services:
	bash scripts/ensure-services.sh

test: setup services
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV)
