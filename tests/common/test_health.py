"""/healthz/ reports the database and the broker, 200 when healthy, 503 when not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_in_embedded_default_is_ok_and_eager(client: Client, db: None, settings: Settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True

    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_with_unreachable_broker_is_503(client: Client, db: None, settings: Settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz/")

    body = response.json()
    assert response.status_code == 503
    assert (body["status"], body["database"]) == ("error", "ok")
    assert body["broker"].startswith("error: ")


def test_healthz_with_database_down_is_503() -> None:
    """A real portal process whose database does not answer (nothing listens on port 1)."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz/'); print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "escaportal.settings",
        "DEBUG": "true",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/escaportal",
    }
    env.pop("CELERY_BROKER_URL", None)

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    status, body = result.stdout.strip().split("\n", 1)
    report = json.loads(body)
    assert status == "503"
    assert (report["status"], report["broker"]) == ("error", "eager")
    assert report["database"].startswith("error: OperationalError")


def test_healthz_refuses_post(client: Client, db: None) -> None:
    assert client.post("/healthz/").status_code == 405


def test_healthz_is_never_cached(client: Client, db: None) -> None:
    response = client.get("/healthz/")

    assert "no-store" in response["Cache-Control"]


@pytest.mark.services
def test_healthz_with_real_broker_is_ok(client: Client, db: None, broker_url: str) -> None:
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_runs_one_query(client: Client, db: None, django_db_blocker: DjangoDbBlocker) -> None:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz/")

    assert [q["sql"] for q in queries.captured_queries if "SELECT 1" in q["sql"]] == ["SELECT 1"]
