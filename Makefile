# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make demo   - the service on its embedded default (SQLite) with a demo marketplace
#   make test   - everything the tests need, then ruff, mypy --strict and pytest on SQLite and PostgreSQL
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
APT_PACKAGES_TEST := chromium tesseract-ocr fonts-dejavu-core
APT_PACKAGES_DEMO := tesseract-ocr

.PHONY: demo test install system-test-deps lint typecheck pytest licenses evaluate bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian packages: Chromium for the browser tests, Tesseract for reading identity documents.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-test-deps:
	$(call apt_install,$(APT_PACKAGES_TEST))

demo: install
	-$(call apt_install,$(APT_PACKAGES_DEMO))
	$(BIN)/goodstanding demo

LINT_PATHS := $(wildcard src tests bench scripts)

lint: install
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

typecheck: install
	$(BIN)/mypy --strict src/goodstanding

pytest: install system-test-deps
	GOODSTANDING_TEST_REQUIRE_POSTGRES=1 $(BIN)/pytest -n 2 --dist loadgroup -q

test: lint typecheck pytest

licenses: install
	$(BIN)/pip-licenses --from=mixed --format=markdown --order=license

evaluate: install
	$(BIN)/python scripts/evaluate_listings.py
	$(BIN)/python scripts/evaluate_reviews.py
	$(BIN)/python scripts/evaluate_febrl.py

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Pull new strings from the code and templates into the catalogs (then translate the Spanish one).
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
	  -o src/goodstanding/locale/messages.pot src/goodstanding
	$(BIN)/pybabel update -i src/goodstanding/locale/messages.pot -d src/goodstanding/locale \
	  --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
