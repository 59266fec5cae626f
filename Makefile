# medinsure — the README's commands. `make run` and `make test` set everything up on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PYTEST := $(PY) -m pytest

# The settings default to production (MEDINSURE_DEV=0). The README's development commands are not:
# they run the demo with its committed keys (the embedded demo counts as development by itself too).
run test test-services bench load demo fuzz: export MEDINSURE_DEV ?= 1

.PHONY: run test test-services bench load load-deps lint setup python-deps node-deps browser-deps demo stop clean messages backup restore

run: setup                     ## web server + Celery worker + beat on the embedded (or configured) services
	$(PY) manage.py runportal

test: setup browser-deps       ## the whole suite on PostgreSQL (embedded unless DATABASE_URL is set); the slowest tests last
	$(PYTEST) -q -ra -n 2 --dist loadfile --durations=25 --durations-min=5

test-services: setup browser-deps  ## only the tests that talk to PostgreSQL/Redis/Celery
	$(PYTEST) -q -ra -m service

bench: setup                   ## benchmarks: each prints its figures beside its reference
	$(PYTEST) tests/bench -o addopts="-p tests.dev_environment --import-mode=importlib -p no:cacheprovider" -m bench -s -q

load: setup load-deps           ## load test: gunicorn + wrk, 4 scenarios x 60 s on 1,400,000 residents (seeds once; docs/PERFORMANCE.md)
	$(PY) -m tests.load.run

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

demo: setup                    ## load the demo district again (idempotent)
	$(PY) manage.py load_demo

.PHONY: fuzz
FUZZ_EXAMPLES ?= 100
fuzz: setup                    ## long API fuzz run (schemathesis): every role on every operation, FUZZ_EXAMPLES each
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PYTEST) tests/fuzz -m fuzz -q -ra -p no:warnings

backup: setup                  ## dump the configured database + private files to var/backups (BACKUP_DIR)
	$(PY) manage.py backup

restore: setup                 ## make restore FILE=var/backups/….dump — replaces the configured database's data
	@test -n "$(FILE)" || { echo "用法：make restore FILE=var/backups/medinsure-….dump"; exit 2; }
	$(PY) manage.py restore --replace "$(FILE)"

stop:                          ## stop the embedded PostgreSQL and Redis
	-$(PY) -c "from medinsure import embedded; embedded.stop_redis(); embedded.stop_postgres()"

setup: python-deps node-deps

python-deps: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

node-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium and a Chinese font for the browser tests, and Debian's docker-compose, which checks
# the compose file (`docker-compose config -q`; no Docker engine is needed for that).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qiE "wqy|noto.*cjk" || ! command -v docker-compose >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei docker-compose >/dev/null; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei docker-compose >/dev/null; \
	  fi; \
	fi

# wrk drives the load test (Debian package, like Chromium above).
load-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  fi; \
	fi

messages: setup                ## compile translations after editing a .po file
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

clean: stop
	rm -rf var
