# The README's two commands: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE = dryneedling_site.settings

.PHONY: serve test install browser lint check typecheck imports content clean lock messages translations

# Installs exactly what requirements.lock pins, each file checked against its hash; then the
# project itself (no dependencies of its own left to resolve, no build download).
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# The interface's translations: locale/*/LC_MESSAGES/django.po (committed) compiled to .mo
# (not committed). Needs GNU gettext (Debian package gettext).
messages: install
	@command -v msgfmt >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "Translations need GNU gettext: sudo apt-get install gettext" >&2; exit 1; fi; }
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore='.venv*' --ignore=node_modules

# After changing visitor-facing text: add new strings to every language's django.po, then
# translate the empty msgstr entries (docs/languages.md).
# Staff-only sources (locale/staff-only.txt) are left out: the admin stays in English.
STAFF_ONLY := $(shell grep -v '^\#' locale/staff-only.txt | sed "s/.*/--ignore='&'/")
translations: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --all --no-obsolete --no-location --ignore='.venv*' \
	  --ignore=tests --ignore=bench --ignore=staticfiles --ignore=node_modules $(STAFF_ONLY)

# Set up and serve the site with its sample content on SQLite at http://127.0.0.1:8000/
serve: install messages
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py load_content
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py import_clinics content/clinics-sample.csv
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

# Set up and run the whole test suite, browser tests included, with branch coverage of
# dryneedling_site/ (the floor is in pyproject.toml, [tool.coverage.report]).
# PYTEST_ARGS narrows a run (CI's PostgreSQL run leaves out the browser tests, which the SQLite
# run has already done); COV_FLOOR=0 reports coverage without failing on a partial run.
# WORKERS: pytest-xdist processes, one per CPU by default (WORKERS=0 runs in one process).
PYTEST_ARGS ?=
COV_FLOOR ?= 90
WORKERS ?= auto
test: install messages browser
	$(PY) -m pytest -n $(WORKERS) --cov --cov-report=term --cov-fail-under=$(COV_FLOOR) $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (Playwright never downloads a browser here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Type checks (mypy with django-stubs; settings in pyproject.toml) and the import contracts.
typecheck: install
	DJANGO_DEBUG=1 $(VENV)/bin/mypy

imports: install
	$(VENV)/bin/lint-imports

content: install
	DJANGO_DEBUG=1 $(PY) manage.py lint_content

check: install
	DJANGO_DEBUG=1 $(PY) manage.py check
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# Re-pin every dependency (after editing pyproject.toml, or to take updates): see README.
lock:
	$(PYTHON) -m venv .lock-venv && .lock-venv/bin/python -m pip install --quiet uv
	.lock-venv/bin/uv pip compile pyproject.toml requirements-build.in --extra test --extra postgres \
	  --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
	  --no-header --quiet -o requirements.lock
	.lock-venv/bin/python deploy/runtime_lock.py
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
