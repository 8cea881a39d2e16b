"""Import jobs: an uploaded file, imported by a Celery task with its progress on the job's page."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from common.enums import JobState
from labels.certificates.jobs import certificate_job_queue
from labels.imports.service import labels_import
from labels.models import ImportJob, Label
from labels.selectors import CURRENT_LABEL

logger = logging.getLogger(__name__)


def import_job_create(*, file: File, uploaded_by: User, dry_run: bool = False) -> ImportJob:
    """Store an uploaded label file and queue its import.

    Side effects: the file is saved under ``MEDIA_ROOT/imports/``;
    ``labels.tasks.run_import`` is queued once the transaction commits (so the
    worker never looks for a job that is not saved yet).
    """
    job = ImportJob(uploaded_by=uploaded_by, dry_run=dry_run)
    job.file.save(Path(file.name or "labels.csv").name, file, save=False)
    job.save()
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Run a queued import job; a finished job is left as it is (tasks may be delivered twice).

    Side effects: the job goes running, then done (report: counts and
    errors) or failed (report: the failure); its progress is saved every
    batch of organisations checked; the labels and organisations of the file are
    written as ``labels_import`` describes, unless the job is a dry run; once
    done, one bulk certificate job renders the current labels it wrote
    (``certificate_job_queue``), queued with the job's last save.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished:
            return job
        job.state = JobState.RUNNING
        job.processed = 0
        job.save(update_fields=["state", "processed"])

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        with job.file.open("rb") as handle:
            content = handle.read()
        result = labels_import(content=content, dry_run=job.dry_run, job=job, progress=progress)
    except Exception:
        # A bug or a lost database must not leave the page polling forever.
        logger.exception("label import job %s failed", job.pk)
        job.state = JobState.FAILED
        job.report = {"failure": _("The import stopped on an unexpected error; nothing was written.")}
    else:
        job.state = JobState.DONE
        job.total = result.total_rows
        job.processed = result.total_rows
        job.report = result.as_dict()
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["state", "total", "processed", "report", "finished_at"])
        # Asked of the database, not of this run's count: a run redelivered after a
        # crash that followed the write finds its labels unchanged, yet without certificates.
        if (
            job.state == JobState.DONE
            and not job.certificate_jobs.exists()
            and Label.objects.filter(CURRENT_LABEL, imported_in=job).exists()
        ):
            certificate_job_queue(created_by=job.uploaded_by, import_job=job)
    return job


# acks_late: a worker killed mid-import leaves the job "running" and its
# transaction rolled back; the redelivered task runs it again from the start.
@shared_task(name="labels.run_import", acks_late=True)
def run_import(job_id: int) -> None:
    """Run an uploaded label import. Quiet if the job is gone or already finished."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    import_job_run(job=job)
