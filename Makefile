# Set-up and everyday commands. `make run` installs everything and starts the bot;
# `make test` installs everything and runs the whole test suite (what CI runs).
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test catalogs extract update-catalogs bench lint chat

$(VENV)/.installed-run: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-run
	$(PIP) install -q -e '.[test]'
	touch $@

catalogs: $(VENV)/.installed-run
	$(VENV)/bin/pybabel compile -d locales -D messages

run: $(VENV)/.installed-run catalogs
	$(VENV)/bin/newcomer-bot run

chat: $(VENV)/.installed-run catalogs
	$(VENV)/bin/newcomer-bot chat

test: $(VENV)/.installed-test catalogs
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Translators' workflow: extract new strings, merge them into every catalog.
extract: $(VENV)/.installed-run
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _ -k ngettext:1,2 --no-location \
		--sort-output --project newcomer-bot -o locales/messages.pot .

update-catalogs: extract
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

bench: $(VENV)/.installed-test catalogs
	$(PY) bench/updates.py
	$(PY) -m bench.search
	$(PY) bench/broadcast.py
	$(PY) bench/reload.py
