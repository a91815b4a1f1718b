# Common Ground — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# `make run` uses embedded defaults (SQLite, filesystem broker, console email) in DEBUG mode.
# SITE_URL (links in emails, e.g. invitations) follows HOST and PORT unless set.
RUN_ENV := DEBUG=$${DEBUG:-true} EMAIL_BACKEND=$${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend} \
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

.PHONY: run test ci lint format migrations-check install install-dev assets browser screenshots bench bench-scale bench-pii clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/build/app.css: node_modules/.package-lock.json frontend/app.scss frontend/build.mjs
	npm run --silent build

assets: static/build/app.css

# Debian's Chromium drives the browser tests (never a downloaded browser build).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Browser tests need Debian's chromium: run 'sudo apt-get install chromium' (or as root, make test installs it)."; exit 1; fi

run: install assets
	$(RUN_ENV) $(PY) manage.py migrate --no-input -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Common Ground: http://$(HOST):$(PORT)/   (Ctrl-C stops the web app, worker and beat)"
	@trap 'kill 0' INT TERM EXIT; \
	$(RUN_ENV) $(VENV)/bin/celery -A coproduction worker --loglevel=INFO --concurrency=2 & \
	$(RUN_ENV) $(VENV)/bin/celery -A coproduction beat --loglevel=INFO & \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT) & \
	wait

migrations-check: install-dev
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Two workers for most of the suite (2 cores); then, alone, what shares one Redis broker and
# what compares elapsed times. PYTEST_ARGS (e.g. a path) runs just that, in one process.
test: install-dev assets browser migrations-check
ifeq ($(PYTEST_ARGS),)
	$(VENV)/bin/pytest -n 2 --dist worksteal -m "not broker and not serial" --durations=25
	$(VENV)/bin/pytest -m "broker or serial" --durations=5
else
	$(VENV)/bin/pytest $(PYTEST_ARGS)
endif

ci: lint test

# The main pages of each role of the demo project (seed_demo), at 320 and 1280 px, as PNGs in
# var/screenshots/<width>/ for review (tests/screenshots.py; not part of `make test`).
screenshots: install-dev assets browser
	$(VENV)/bin/pytest -p no:randomly -q tests/screenshots.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# `make bench MODE=scale` is `make bench-scale`.
bench: install-dev assets
ifeq ($(MODE),scale)
	nice -n 10 $(PY) -m tests.bench_scale $(BENCH_ARGS)
else
	$(PY) -m tests.bench
endif

# The analysis pages at 20,000 documents and 200,000 codings on PostgreSQL under 16 clients
# (tests/bench_scale/): DATABASE_URL, else postgres://postgres@127.0.0.1:5432/cg_scale.
bench-scale: install-dev assets
	nice -n 10 $(PY) -m tests.bench_scale $(BENCH_ARGS)

# The PII scanner alone on the labelled corpus (no database); PII_BENCH_VERBOSE=1 lists the misses.
bench-pii: install-dev
	$(PY) -m tests.pii_corpus

clean:
	rm -rf $(VENV) node_modules static/build staticfiles var
