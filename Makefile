# The two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run setup fonts test check lint messages clean

# `make run PORT=8001` serves on another port; the site's own address (links in emails, the
# agency's callback) follows unless SHUGEL_SITE_URL says otherwise.
run: setup
	$(PY) manage.py seed_demo
	SHUGEL_SITE_URL="$${SHUGEL_SITE_URL:-http://$(HOST):$(PORT)}" \
	SHUGEL_PUBLIC_URL="$${SHUGEL_PUBLIC_URL:-http://$(HOST):$(PORT)}" \
	  $(PY) manage.py serve --host $(HOST) --port $(PORT)

# Everything `make run` needs before it serves; also used by CI's clean-clone check.
setup: fonts $(VENV)/.installed
	mkdir -p -m 700 var
	$(PY) manage.py keys generate --if-missing
	$(PY) manage.py migrate --noinput

# The whole suite in three passes: the quick tests in three processes, each with a database
# and a Redis database of its own (on this kind of machine, two cores, three took 110-116 s
# where four took 123-131 s: a fourth process costs more in start-up and switching than it
# fills in the few waits of the quick tests); the slow and browser tests three at a time
# (real servers on free ports, browsers, restore drills: mostly waiting; two kept 1.3 of the
# 2 cores busy, and three took 171 s where two took 202 s);
# then the tests marked `alone` one by one, since they measure time or capacity (a flood, a
# timing, kills against live traffic) and a neighbour's load would blur it. pytest's exit
# status 5 means a pass selected no test (PYTEST_ARGS naming one file), not a failure.
# On SQLite a test that empties the database is followed by a copy of the migrated one
# (tests/dbtemplate.py), so tests may run in any order and an idle process takes tests from
# a busy one (worksteal: handed out in collection order, the last long tests kept one
# process busy 15 to 50 s after the others had finished). On PostgreSQL the tables are
# emptied, and each process must keep the collection order (tests that need the seeded
# rows come before those that empty them).
WORKERS ?= -n 3 --dist $(if $(DATABASE_URL),load,worksteal)
SLOW_WORKERS ?= -n 3
QUICK := -m "not slow and not browser"
# Each pass prints how long it took; the first is `make check`.
test: fonts $(VENV)/.installed-dev
	@start=$$(date +%s); $(PY) -m pytest $(QUICK) $(WORKERS) $(PYTEST_ARGS) || [ $$? -eq 5 ] || exit 1; \
	  echo "quick pass (make check) took $$(( $$(date +%s) - start )) s"
	@start=$$(date +%s); $(PY) -m pytest -m "(slow or browser) and not alone" $(SLOW_WORKERS) \
	  $(PYTEST_ARGS) || [ $$? -eq 5 ] || exit 1; \
	  echo "slow and browser pass took $$(( $$(date +%s) - start )) s"
	@start=$$(date +%s); $(PY) -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ] || exit 1; \
	  echo "pass of the tests run alone took $$(( $$(date +%s) - start )) s"

# The quick loop before a small change: the first pass of `make test` alone.
check: fonts $(VENV)/.installed-dev
	$(PY) -m pytest $(QUICK) $(WORKERS) -q $(PYTEST_ARGS)

# Test processes keep their compiled modules and pytest's rewritten test modules, even
# where the environment says not to write bytecode: three processes each recompiling the
# suite cost a fifth of `make check`. (__pycache__ is ignored by git.)
test check: export PYTHONDONTWRITEBYTECODE :=

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

# PDF exports embed DejaVu Sans (Cyrillic with Ө ө Ү ү). Installed when missing if we can;
# otherwise a warning, since everything but the PDF exports works without it.
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
fonts:
	@if [ ! -f $(DEJAVU) ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 || \
	    { apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null; } || true; \
	fi
	@[ -f $(DEJAVU) ] || echo "warning: PDF exports need fonts-dejavu-core" \
	  "(apt-get install fonts-dejavu-core); everything else works without it." >&2

# Needs GNU gettext; the compiled catalogues are committed so running needs none.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale mn --locale en --no-obsolete --ignore '.venv/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Shugel needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
