"""A worker killed while it renders a certificate: the task runs again, and in
the end there is exactly one certificate."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from pytest_django import Settings

import escaportal.settings as configured
from common.enums import Level
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from labels.tasks import render_certificate
from tests.factories import OrganisationFactory
from tests.files import stored_name
from tests.polling import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_killed_worker_still_ends_with_exactly_one_certificate(
    broker_url: str, postgres: None, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = configured.MEDIA_ROOT
    label = label_create(
        organisation=OrganisationFactory(),
        level=Level.BRONZE,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
    )
    marker = tmp_path / "pids"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CONN_MAX_AGE": "0",
        "CHAOS_MARKER": str(marker),
        "CHAOS_PAUSE": "3",
        "MEDIA_ROOT": str(configured.MEDIA_ROOT),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.chaos_worker",
            "worker",
            "-Q",
            "chaos",
            "-c",
            "1",
            "--prefetch-multiplier",
            "1",
            "-n",
            f"chaos-{os.getpid()}@%h",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        render_certificate.apply_async(args=[label.pk], queue="chaos")
        wait_for(lambda: marker.exists() and marker.read_text().strip(), 60, "the worker to start the task")
        os.kill(int(marker.read_text().split()[0]), signal.SIGKILL)  # the pool process, mid-task

        wait_for(lambda: len(marker.read_text().split()) >= 2, 60, "the task to run again")
        wait_for(lambda: Label.objects.get(pk=label.pk).certificate.name != "", 60, "the certificate")
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    label.refresh_from_db()
    files = sorted(
        p.name for p in (Path(configured.MEDIA_ROOT) / "private" / "certificates").glob(f"{label.code}-*.pdf")
    )
    assert files == [Path(stored_name(label.certificate)).name]
