"""Bulk certificate regeneration in ranges: one task per range of labels, each counted once,
and a job whose memory does not grow with the number of labels."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from celery.signals import task_prerun
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from common.enums import JobState
from labels import certificates
from labels.certificates.jobs import certificate_job_queue, certificate_job_run, certificate_range_run
from labels.certificates.rendering import certificate_document
from labels.models import CertificateJob, Label
from tests.factories import LabelFactory, OrganisationFactory

RANGE = "labels.render_certificate_range"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tasks_run() -> Iterator[list[str]]:
    names: list[str] = []

    def record(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
        names.append(task.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def test_a_regeneration_renders_in_one_task_per_range(
    monkeypatch: pytest.MonkeyPatch,
    tasks_run: list[str],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    monkeypatch.setattr(certificates.jobs, "CHUNK_SIZE", 2)
    labels = LabelFactory.create_batch(5)

    with django_capture_on_commit_callbacks(execute=True):
        job = certificate_job_queue()

    job.refresh_from_db()
    ids = sorted(label.pk for label in labels)
    assert tasks_run == ["labels.regenerate_certificates", RANGE, RANGE, RANGE]
    assert job.chunk_bounds == [[ids[0], ids[1]], [ids[2], ids[3]], [ids[4], ids[4]]]
    assert (job.state, job.total, job.processed, job.rendered, job.failed) == (JobState.DONE, 5, 5, 5, [])
    assert Label.objects.filter(certificate="").count() == 0


def test_a_range_delivered_twice_is_rendered_and_counted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(certificates.jobs, "CHUNK_SIZE", 2)
    first, second, third = sorted(LabelFactory.create_batch(3), key=lambda label: label.pk)
    job = CertificateJob.objects.create(
        total=3, state=JobState.RUNNING, chunk_bounds=[[first.pk, second.pk], [third.pk, third.pk]]
    )

    certificate_range_run(job=job, first=first.pk, last=second.pk)
    rendered = Label.objects.get(pk=first.pk).certificate.name
    job.refresh_from_db()
    certificate_range_run(job=job, first=first.pk, last=second.pk)  # a redelivery
    job.refresh_from_db()

    assert (job.state, job.processed, job.rendered, job.chunks_done) == (JobState.RUNNING, 2, 2, [first.pk])
    assert Label.objects.get(pk=first.pk).certificate.name == rendered
    assert Label.objects.get(pk=third.pk).certificate.name == ""


def test_the_command_queues_one_level_or_all(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    LabelFactory.create_batch(2, level="bronze")
    LabelFactory(level="gold")
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("certificates_regenerate", "--level", "gold", stdout=out)
        call_command("certificates_regenerate", "--all", stdout=out)

    assert list(CertificateJob.objects.order_by("pk").values_list("level", "total", "processed", "state")) == [
        ("gold", 1, 1, JobState.DONE),
        ("", 3, 3, JobState.DONE),
    ]
    assert Label.objects.filter(certificate="").count() == 0


def _current_certificates(count: int) -> None:
    """Labels whose certificates are there and current (one file serves all), revoked so that one
    organisation and level can hold many: a job checks each and renders none."""
    organisation = OrganisationFactory()
    start, now = date(2024, 1, 1), timezone.now()
    labels = Label.objects.bulk_create(
        Label(
            organisation=organisation,
            level="bronze",
            source="import",
            assessed_on=start - timedelta(days=n),
            valid_from=start - timedelta(days=n),
            valid_until=start + timedelta(days=365),
            code=f"TS-B-2000-{n:06d}",
            certificate="certificates/current.pdf",
            revoked_at=now,
        )
        for n in range(count)
    )
    for label in labels:
        label.certificate_fingerprint = certificate_document(label).fingerprint
    Label.objects.bulk_update(labels, ["certificate_fingerprint"], batch_size=500)


def _peak_of_job(count: int) -> tuple[int, int]:
    """(peak bytes traced, ranges run) of a whole regeneration of ``count`` labels."""
    Label.objects.all().delete()
    _current_certificates(count)
    job = CertificateJob.objects.create()
    ranges: list[int] = []

    def count_range(sender: Any = None, task: Any = None, **kwargs: Any) -> None:
        ranges.append(1) if task.name == RANGE else None

    task_prerun.connect(count_range, weak=False)
    tracemalloc.start()
    try:
        certificate_job_run(job=job)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        task_prerun.disconnect(count_range)
    job.refresh_from_db()
    assert (job.state, job.processed, job.rendered) == (JobState.DONE, count, 0)
    return peak, len(ranges)


def test_a_regeneration_does_not_hold_every_label(settings: Settings) -> None:
    Label().certificate.storage.save("certificates/current.pdf", ContentFile(b"%PDF-"))
    _peak_of_job(10)  # what a first run allocates once (compiled queries, the template's fingerprint)
    small, small_ranges = _peak_of_job(200)
    large, large_ranges = _peak_of_job(2_000)

    assert (small_ranges, large_ranges) == (2, 20)
    # Ten times the labels: the ids pass through a cursor, and a range's labels at a time are held
    # (with what the cyclic garbage collector has not reclaimed yet: a label and its file refer to
    # each other). Measured: about twice.
    assert large < 4 * small, (small, large)
