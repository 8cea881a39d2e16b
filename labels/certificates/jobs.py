"""Bulk certificate rendering: after a template change, after an import, for the demo."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from common.enums import JobState
from labels.certificates.rendering import certificate_missing, certificate_outdated, certificate_render
from labels.models import CertificateJob, ImportJob, Label
from labels.selectors import CURRENT_LABEL

logger = logging.getLogger(__name__)


def certificate_job_labels(job: CertificateJob) -> QuerySet[Label]:
    """The labels a bulk job renders: the current labels its import wrote; or,
    for a regeneration, every current label and every label that has a
    certificate (so a template change reaches the history too)."""
    if job.import_job_id is not None:
        return Label.objects.filter(CURRENT_LABEL, imported_in_id=job.import_job_id)
    return Label.objects.filter(CURRENT_LABEL | ~Q(certificate=""))


def certificate_job_create(*, by: User) -> CertificateJob:
    """The office renders every current label's certificate that is missing or
    outdated (after a template change), and every other one that is outdated.

    Side effects: a job row; the work runs in a Celery task after commit.
    """
    if not by.has_perm("labels.regenerate_certificates"):
        raise PermissionDenied
    return certificate_job_queue(created_by=by)


def certificate_job_queue(*, created_by: User | None = None, import_job: ImportJob | None = None) -> CertificateJob:
    """Queue one bulk rendering of ``certificate_job_labels``: of the current
    labels ``import_job`` wrote, or without it of every current label and every
    certificate. No permission check: for the office's button, the import job
    and the demo.

    Side effects: a job row; ``labels.tasks.regenerate_certificates`` is
    queued after commit.
    """
    with transaction.atomic():
        job = CertificateJob(created_by=created_by, import_job=import_job)
        job.total = certificate_job_labels(job).count()
        job.save()
        transaction.on_commit(lambda: regenerate_certificates.delay(job.pk))
    return job


def certificate_job_run(*, job: CertificateJob) -> CertificateJob:
    """Render every certificate of ``certificate_job_labels`` that is missing or
    whose facts or template changed. A re-run after a crash skips what is
    already current (the fingerprint), so nothing is rendered twice. Progress is
    saved every few labels for the office's page."""
    labels = certificate_job_labels(job)
    # Labels written between queueing and running count too.
    CertificateJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, total=labels.count())
    processed = rendered = 0
    failed: list[str] = []
    # A chunked cursor: however many labels there are, only a chunk is in memory.
    for label in labels.select_related("organisation").order_by("pk").iterator(chunk_size=200):
        try:
            if certificate_missing(label) or certificate_outdated(label):
                certificate_render(label=label)
                rendered += 1
        except Exception as exc:  # one broken label must not stop the others; it is reported
            logger.exception("certificate %s failed", label.code)
            failed.append(f"{label.code}: {type(exc).__name__}")
        processed += 1
        if processed % 10 == 0:
            CertificateJob.objects.filter(pk=job.pk).update(processed=processed, rendered=rendered)
    CertificateJob.objects.filter(pk=job.pk).update(
        processed=processed, rendered=rendered, failed=failed, state=JobState.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


@shared_task(name="labels.regenerate_certificates", acks_late=True, soft_time_limit=3600, time_limit=3700)
def regenerate_certificates(job_id: int) -> None:
    """Bulk regeneration. Quiet if the job is gone or finished; a redelivered run
    continues where the crash left it (current certificates are skipped)."""
    job = CertificateJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    certificate_job_run(job=job)
