# The two commands of the README, `make demo` and `make test`, and their helpers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean migration distributed bench bench-quick

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/medstock demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest
	$(BIN)/python -m tests.backends

# A new revision from the difference between the models and the migrations,
# compared on a scratch SQLite database: make migration MESSAGE="add lots"
migration: $(STAMP)
	@test -n "$(MESSAGE)" || { echo 'usage: make migration MESSAGE="add lots"' >&2; exit 2; }
	@scratch=$$(mktemp -d) && \
	export MEDSTOCK_DATABASE_URL="sqlite:///$$scratch/schema.db" && \
	$(BIN)/alembic upgrade head && \
	$(BIN)/alembic revision --autogenerate -m "$(MESSAGE)"; \
	status=$$?; rm -rf "$$scratch"; exit $$status

# Prefect server on PostgreSQL, the agents deployed from prefect.yaml, two workers.
distributed: $(STAMP)
	$(BIN)/medstock distributed

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data .prefect .pytest_cache

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick
