# The two commands of the README: `make site` and `make test`. Both create
# their own virtual environment from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
OUTPUT ?= output

.PHONY: site test test-fast check serve clean fixtures-expected lint format browsers pdf demo

$(STAMP): pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	rm -f node_modules/.installed-*
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## make site: build the whole site into output/ (validated first; kept as is on failure; nothing
## to do when no input changed since the last build)
site: $(STAMP) $(NODE_STAMP)
	$(PY) -m mednum build -s pelicanconf.py -o $(OUTPUT)

## make demo: the demo site of demo/ (fictional examples, every page type) into output-demo/; never published
demo: $(STAMP) $(NODE_STAMP)
	$(PY) -m mednum build -s democonf.py -o output-demo

## make test: every test, browser tests in Debian's Chromium included
test: $(STAMP) $(NODE_STAMP) browsers
	$(PY) -m pytest -n auto --dist worksteal

## make test-fast: the tests that need neither a browser nor a site build (under a minute)
test-fast: $(STAMP)
	MEDNUM_TEST_FAST=1 $(PY) -m pytest -q -n auto --dist worksteal -m "not browser and not site"

## make check: validate the data only, all errors and warnings in French
check: $(STAMP)
	$(PY) -m mednum check

## make serve: the site on http://localhost:8000, rebuilt and reloaded when a record, template,
## style or setting changes
serve: $(STAMP) $(NODE_STAMP)
	$(PY) -m mednum serve -s pelicanconf.py -o $(OUTPUT)

## make browsers: install Debian's chromium, a Java runtime (HTML validator) and jq (the forms
## workflow's script, run by its test) if missing
browsers:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless jq >/dev/null; \
	  else \
	    echo "Installez chromium, Java et jq : sudo apt-get install chromium default-jre-headless jq"; exit 1; \
	  fi; }

## make fixtures-expected: regenerate the stored expected output of the fixture site, on purpose
fixtures-expected: $(STAMP)
	MEDNUM_REGENERATE=1 $(PY) -m pytest tests/test_fixture_site.py -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(OUTPUT) .$(OUTPUT)-spare .$(OUTPUT)-index .pytest_cache .hypothesis

## make pdf: the site with the territories' PDF brochures (WeasyPrint, about 10 s more)
pdf: $(STAMP) $(NODE_STAMP)
	$(PY) -m mednum build -s pelicanconf.py -o $(OUTPUT) --pdf

.PHONY: sort report sources

## make sort: put the records of data/ in canonical order (by id, fields in schema order)
sort: $(STAMP)
	$(PY) -m mednum sort

## make sources: download every source of data/imports/sources.yaml and merge it into data/ (network)
sources: $(STAMP)
	$(PY) -m mednum sources refresh --download --summary resume-import.md

## make report: freshness and completeness of the records, per EPCI
report: $(STAMP)
	$(PY) -m mednum report

.PHONY: bench

## make bench: benchmark of the build at the three sizes of README « Performances » (long: see there)
bench: $(STAMP) $(NODE_STAMP)
	$(PY) -m bench --profile render,plan
