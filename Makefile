# 智慧云脑 city operations wall — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8050
export CITYOPS_INGEST_KEY ?= dev-ingest-key

.PHONY: run test install seed serve lint format bench bench-cases screenshots clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

seed: install
	$(BIN)/python -m data_sources.simulator seed

serve: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python app.py

run: seed serve

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/viewers.py

bench-cases: install
	$(BIN)/python bench/case_rates.py

screenshots: install
	CITYOPS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest tests/browser -k screenshot

clean:
	rm -rf var .pytest_cache
