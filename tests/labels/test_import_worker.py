"""The office's import runs in a real Celery worker (CI), not in the web request."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

import escaportal.settings as configured
from accounts.enums import StaffRole
from common.enums import JobState
from common.services import sectors_ensure
from labels.models import ImportJob, Label
from tests.factories import RoleGrantFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROWS = (
    "organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code\n"
    "Worker Test Cluster,RS,Novi Sad,https://w.example,ICT,bronze,2013-05-14,,,\n"
    "Worker Test Cluster,RS,Novi Sad,https://w.example,ICT,bronze,2015-02-02,,,\n"
)


def test_import_job_runs_in_the_worker(client: Client, broker_url: str, postgres: None, settings: Settings) -> None:
    # The worker is another process: the upload must land where it looks.
    settings.MEDIA_ROOT = configured.MEDIA_ROOT
    sectors_ensure()  # transactional tests before this one flushed the migrated rows
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    response = client.post(reverse("labels:import_upload"), {"file": SimpleUploadedFile("legacy.csv", ROWS.encode())})

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("labels:import_detail", args=[job.pk])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not job.is_finished:
        time.sleep(0.5)
        job.refresh_from_db()
    assert (job.state, job.report.get("errors"), job.report.get("created")) == (JobState.DONE, [], 2)
    assert Label.objects.filter(superseded_by__isnull=True).count() == 1
