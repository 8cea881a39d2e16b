"""The settings read the environment strictly: a bad value stops the start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from common.config import EnvReader

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-of-sufficient-length-1234567890"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The browser tests allow ORM calls beside Playwright's loop; a deployment never does.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_bool_with_bad_value_names_variable_and_choices(value: str) -> None:
    reader = EnvReader({"DEBUG": value})

    with pytest.raises(ImproperlyConfigured) as error:
        reader.bool("DEBUG", default=True)

    assert str(error.value).startswith(f"DEBUG={value!r} is not a boolean")


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Yes", True), ("off", False), ("FALSE", False)])
def test_bool_accepts_usual_spellings(value: str, expected: bool) -> None:
    assert EnvReader({"DEBUG": value}).bool("DEBUG", default=not expected) is expected


def test_unset_and_empty_values_take_the_default() -> None:
    reader = EnvReader({"EMPTY": "  "})

    assert reader.bool("EMPTY", default=True) is True
    assert reader.int("MISSING", default=7) == 7
    assert reader.names_read == {"EMPTY", "MISSING"}


def test_int_with_bad_value_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE='ten' is not a whole number"):
        EnvReader({"CONN_MAX_AGE": "ten"}).int("CONN_MAX_AGE", default=60)


def test_int_below_minimum_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE=-1 must be at least 0"):
        EnvReader({"CONN_MAX_AGE": "-1"}).int("CONN_MAX_AGE", default=60, minimum=0)


def test_database_url_with_unknown_scheme_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL has scheme 'mysql'"):
        EnvReader({"DATABASE_URL": "mysql://root@localhost/db"}).database("DATABASE_URL", default="sqlite:///x")


def test_database_url_without_name_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must name a database"):
        EnvReader({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432"}).database("DATABASE_URL", default="")


def test_database_url_for_postgres_is_parsed() -> None:
    config = EnvReader({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/escaportal"}).database(
        "DATABASE_URL", default=""
    )

    assert (config["ENGINE"], config["NAME"], config["HOST"], config["PORT"]) == (
        "django.db.backends.postgresql",
        "escaportal",
        "127.0.0.1",
        5432,
    )


def test_broker_url_must_be_redis() -> None:
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL has scheme 'http'"):
        EnvReader({"CELERY_BROKER_URL": "http://localhost:6379"}).url(
            "CELERY_BROKER_URL", None, schemes={"redis", "rediss"}
        )


def test_email_url_for_smtp_is_parsed() -> None:
    config = EnvReader({"EMAIL_URL": "smtp://mailer:secret@mail.example:2525"}).email("EMAIL_URL")

    assert config is not None
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_HOST_USER"]) == ("mail.example", 2525, "mailer")


def test_start_with_bad_debug_value_fails_with_clear_message() -> None:
    result = run_manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_start_without_secret_key_in_production_fails() -> None:
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="labels.example")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_start_without_allowed_hosts_in_production_fails() -> None:
    result = run_manage("check", DEBUG="false", SECRET_KEY=GOOD_KEY)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must list" in result.stderr


def test_deploy_check_reports_nothing_in_production_shape() -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="labels.example",
        SITE_URL="https://labels.example",
        EMAIL_URL="smtp://mail.example:25",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_embedded_default_runs_tasks_in_process_and_prints_mail() -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DEBUG"}}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='escaportal.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND.rsplit('.', 2)[-2],"
        " s.DATABASES['default']['ENGINE'])"
    )

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.stdout.split() == ["True", "True", "console", "django.db.backends.sqlite3"]
