# Kohtaamo: the one way to run, test, lint and measure. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PG_URL ?= postgres://postgres@127.0.0.1:5432/kohtaamo
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run`'s own address: links in its e-mails and pages follow PORT (and HOST).
SITE_URL ?= http://$(HOST):$(PORT)
# The embedded mode: links at this port, uploaded slides served by Django (no proxy here).
RUN_ENV := SITE_URL=$(SITE_URL) SERVE_MEDIA=true

.PHONY: run test test-sqlite test-postgres lint format messages bench browser pdf-libs redis-server clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	touch $(VENV)/.installed $@

gettext:
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; } \
	  || { echo "msgfmt (GNU gettext) is missing: install the gettext package" >&2; exit 1; }

run: $(VENV)/.installed gettext pdf-libs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "Kohtaamo runs at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

browser:
	@bash scripts/ensure_chromium.sh

pdf-libs:
	@bash scripts/ensure_pdf_libs.sh

redis-server:
	@bash scripts/ensure_redis_server.sh

test: $(VENV)/.dev-installed gettext browser pdf-libs redis-server
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: $(VENV)/.dev-installed
	@echo "=== pytest on SQLite ==="
	DATABASE_URL=sqlite:///$(CURDIR)/.test-db.sqlite3 $(VENV)/bin/pytest -q $(PYTEST_ARGS)

test-postgres: $(VENV)/.dev-installed
	@echo "=== pytest on PostgreSQL ($(PG_URL)) ==="
	@if ! $(PY) scripts/wait_for_postgres.py "$(PG_URL)"; then \
	  echo "!!! PostgreSQL is NOT reachable at $(PG_URL): the PostgreSQL suite did NOT run !!!" >&2; \
	  if [ "$$CI" = "true" ]; then exit 1; fi; \
	else \
	  DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q $(PYTEST_ARGS); \
	fi

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages -l fi -l sv -l en --ignore=.venv --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(VENV)/.dev-installed gettext
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && { apt-get install -y -qq wrk >/dev/null \
	  || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }; } \
	  || { echo "wrk is missing: install Debian's wrk package" >&2; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv -v0
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .test-db.sqlite3
