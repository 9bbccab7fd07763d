# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11+ is required.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo lint format bench screenshots ci clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# The demo programme is loaded once; `make demo` loads it again (it is idempotent).
.demo-loaded: | migrate
	$(PY) manage.py demo
	touch .demo-loaded

demo: migrate
	$(PY) manage.py demo

run: migrate .demo-loaded
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite on SQLite with eager tasks. With DATABASE_URL and CELERY_BROKER_URL set it runs
# against PostgreSQL and Redis and starts real Celery workers (see .ci/run).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Refresh the documented screenshots in docs/screenshots/ (the suite writes to test-results/).
screenshots: install
	LMS_SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest --create-db -q -m browser tests/browser

# SCALE: both (the default), demo or national; see bench/run.py.
SCALE ?= both
bench: install
	BENCH_SCALE=$(SCALE) $(PY) -m bench.run

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) .demo-loaded .test-db.sqlite3
