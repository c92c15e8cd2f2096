# Everything runs inside .venv, which this Makefile creates on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
DB := build/pycon.db
SOURCES := $(wildcard data/*.csv data/*.yaml data/editions/*/*.csv data/editions/*/*.yaml)

.PHONY: install build validate serve cluster test bench loadtest publish-bundle clean import import-recordings
REPLICAS ?= 2

$(BIN)/pycon-db: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/pycon-db

$(DB): $(BIN)/pycon-db $(SOURCES) $(shell find scripts -name "*.py" -o -name "*.sql")
	$(BIN)/pycon-db build --data data --out $(DB)

build: $(DB)

validate: install
	$(BIN)/pycon-db validate --data data

serve: $(DB)
	$(BIN)/pycon-db serve --db $(DB) --port $(PORT)

# REPLICAS Datasette processes behind nginx (Debian's package) as load balancer and shared cache.
cluster: $(DB)
	$(BIN)/python -m deploy.cluster --db $(DB) --port $(PORT) --replicas $(REPLICAS)

# axe-core (package.json) for the accessibility checks in the browser tests, when npm is here.
node_modules/axe-core/axe.min.js: package.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks will skip"; fi

# Two processes, each taking whole modules (their servers and browser are module fixtures): JOBS=1 for one.
JOBS ?= 2
test: install node_modules/axe-core/axe.min.js
	$(BIN)/pytest -q -n $(JOBS) --dist loadfile

# make import FEED=https://us.pycon.org/<year>/schedule/conference.json (or a file)
import: install
	@test -n "$(FEED)" || { echo "usage: make import FEED=<url or file> [TZ_ARG='--timezone America/New_York']"; exit 2; }
	$(BIN)/pycon-db import "$(FEED)" --data data $(TZ_ARG)

# make import-recordings PYVIDEO=../pyvideo-data/pycon-us-<year> (one event's folder of pyvideo/data)
import-recordings: install
	@test -n "$(PYVIDEO)" || { echo "usage: make import-recordings PYVIDEO=<pyvideo/data event folder>"; exit 2; }
	$(BIN)/pycon-db import-recordings "$(PYVIDEO)" --data data

bench: install
	$(BIN)/python -m bench

# One replica, then nginx and two replicas (50 and 500 clients, and one replica killed), each 20 s.
loadtest: install
	$(BIN)/python -m bench.loadtest

# A directory under build/ that deploys as it is (datasette publish fly --generate-dir).
publish-bundle: $(DB)
	$(BIN)/python -m scripts.bundle --db $(DB) --out build/bundle

clean:
	rm -rf build
