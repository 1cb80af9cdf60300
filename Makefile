# Set-up and everyday commands. `make run` installs everything and starts the bot;
# `make test` installs everything and runs the whole test suite (what CI runs).
# Installs come from the lock files in requirements/ (exact versions with hashes);
# pyproject.toml keeps the compatible ranges. `make lock` refreshes the lock files.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The project itself on top of a locked environment: no dependency resolution here.
INSTALL_SELF := $(PIP) install -q --no-deps --no-build-isolation -e .

.PHONY: run test catalogs extract update-catalogs bench lint chat lock

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.installed-run: requirements/run.txt pyproject.toml | $(PY)
	$(PIP) install -q --require-hashes -r requirements/run.txt
	$(INSTALL_SELF)
	rm -f $(VENV)/.installed-test
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml $(VENV)/.installed-run
	$(PIP) install -q --require-hashes -r requirements/test.txt
	$(INSTALL_SELF)
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

# Refresh the lock files: the newest versions that pyproject.toml's ranges allow, for
# every platform and Python >= 3.11 (uv's universal resolution), with hashes.
# Run it after changing a dependency in pyproject.toml, and monthly for updates;
# then `make test` and commit pyproject.toml and requirements/ together.
LOCK := $(VENV)/bin/uv pip compile -q --universal --python-version 3.11 --generate-hashes \
	pyproject.toml requirements/build.in
lock: | $(PY)
	$(PIP) install -q 'uv>=0.5,<1'
	$(LOCK) -o requirements/run.txt
	$(LOCK) --extra test -o requirements/test.txt

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
