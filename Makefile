# The two commands: `make run` (the platform with demo data) and `make test` (the whole suite).
# Both install what is missing: Debian packages (apt-get) and Python packages (uv, from uv.lock).

SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEBIAN_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils gettext
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto

.PHONY: run test test-only system-deps python-deps messages lint check ci clean

run: system-deps python-deps messages  ## Migrate, load demo data, start web + Celery worker + beat
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data
	HOST=$(HOST) PORT=$(PORT) scripts/run-local

test: system-deps python-deps messages test-only  ## Install what is missing, then run the whole suite

# One pytest-xdist worker per core (PYTEST_WORKERS=0 runs in one process); the test database is kept between runs
# and created afresh when a migration changes (tests/conftest.py). docs/decisions/test-suite-speed.md says why.
test-only:
	$(PY) -m pytest --reuse-db -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

system-deps:
	@scripts/install-system-deps $(DEBIAN_PACKAGES)

python-deps:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --quiet

messages:  ## Compile the zh-hans and English catalogues
	@mkdir -p locale
	$(PY) manage.py compilemessages --ignore=.venv -v0

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var staticfiles
