# escaportal: `make run` starts the portal, `make test` runs the suite.
# Both create .venv and install what is missing on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails, QR codes on certificates and credential ids name the
# address the portal is started on, unless SITE_URL is set (a proxy, a name on
# the network). 0.0.0.0 listens everywhere but is no address to open.
SITE_URL ?= http://$(if $(filter 0.0.0.0 [::] ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test install migrate worker beat lint bench clean messages fuzz proof

# Without a broker nothing else would run the periodic tasks (reminders, digest,
# overdue questions), so `make run` starts beat beside the server and stops it
# with the server. Tasks are eager: beat runs each in its own process, and what
# is due (or never ran) at once. With CELERY_BROKER_URL, `make worker` and
# `make beat` do this instead.
# Its schedule file starts empty each time, so every start catches up once,
# whatever database DATABASE_URL names today (the tasks are idempotent).
ifeq ($(strip $(CELERY_BROKER_URL)),)
BESIDE_SERVER = rm -f var/embedded-beat-schedule*; \
	$(BIN)/celery -A escaportal beat --loglevel=INFO --schedule=var/embedded-beat-schedule & \
	trap 'kill $$! 2>/dev/null; wait $$! 2>/dev/null' EXIT; trap 'exit 130' INT TERM;
endif

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: export SITE_URL := $(SITE_URL)
run: migrate
	$(BIN)/python manage.py seed_demo
	$(BESIDE_SERVER) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A escaportal worker --loglevel=INFO

beat: install
	$(BIN)/celery -A escaportal beat --loglevel=INFO --schedule=var/celerybeat-schedule

# mypy reads [tool.mypy] in pyproject.toml: the apps, bench and tests, with django-stubs.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run.py

# Every permission and every scoping read loosened in turn: the suite must fail
# each time (tests/proof.py). PROOF_ARGS="--quick" for the rule-dense tests only.
proof: install
	$(BIN)/python tests/proof.py $(PROOF_ARGS)

# Hypothesis with 200 examples per form and Schemathesis with 200 per API operation.
fuzz: install
	HYPOTHESIS_PROFILE=thorough SCHEMATHESIS_EXAMPLES=200 $(BIN)/python -m pytest tests/test_fuzz_forms.py tests/test_api_schemathesis.py $(PYTEST_ARGS)

# Extract every marked string into the Serbian Latin catalogue (needs GNU
# gettext), then write the Cyrillic catalogue as its transliteration and
# compile both .mo files (in Python). Translate the new msgstr in
# locale/sr_Latn/LC_MESSAGES/django.po, then run it again.
messages: install
	$(BIN)/python manage.py makemessages --locale=sr_Latn --no-obsolete --add-location=file \
		--ignore=tests --ignore=bench --ignore=var --ignore=staticfiles --ignore=test-artifacts --ignore=bench-results
	$(BIN)/python manage.py translate_cyrillic

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache staticfiles test-artifacts
