"""Bulk certificate rendering: after a template change, after an import, for the demo,
from the office's page or ``manage.py certificates_regenerate``.

However many labels there are, nothing holds them all: the job's task reads label ids
through a chunked cursor and cuts them into ranges of ``CHUNK_SIZE`` (only the ranges'
ends are kept, two numbers per hundred labels), and queues one task per range, so the
worker's processes share the work and each holds one range's labels at a time. Every
range task is idempotent: a certificate whose facts did not change is not drawn again,
and a range is counted once.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from common.enums import JobState, Level
from labels.certificates.rendering import certificate_missing, certificate_outdated, certificate_render
from labels.models import CertificateJob, ImportJob, Label
from labels.selectors import CURRENT_LABEL

logger = logging.getLogger(__name__)

# Labels per range task: one task is a few tens of seconds of rendering, and holds
# no more than this many labels.
CHUNK_SIZE = 100


def certificate_job_labels(job: CertificateJob) -> QuerySet[Label]:
    """The labels a bulk job renders: the current labels its import wrote; or,
    for a regeneration, every current label and every label that has a
    certificate (so a template change reaches the history too), of one level
    if the job says so."""
    if job.import_job_id is not None:
        labels = Label.objects.filter(CURRENT_LABEL, imported_in_id=job.import_job_id)
    else:
        labels = Label.objects.filter(CURRENT_LABEL | ~Q(certificate=""))
    return labels.filter(level=job.level) if job.level else labels


def certificate_job_create(*, by: User) -> CertificateJob:
    """The office renders every current label's certificate that is missing or
    outdated (after a template change), and every other one that is outdated.

    Side effects: a job row; the work runs in Celery tasks after commit.
    """
    if not by.has_perm("labels.regenerate_certificates"):
        raise PermissionDenied
    return certificate_job_queue(created_by=by)


def certificate_job_queue(
    *, created_by: User | None = None, import_job: ImportJob | None = None, level: Level | str = ""
) -> CertificateJob:
    """Queue one bulk rendering of ``certificate_job_labels``: of the current
    labels ``import_job`` wrote, or without it of every current label and every
    certificate (of ``level`` only, if given). No permission check: for the
    office's button, the import job, the demo and the command.

    Side effects: a job row; ``labels.tasks.regenerate_certificates`` is
    queued after commit, and queues one ``labels.render_certificate_range`` per
    range of labels.
    """
    with transaction.atomic():
        job = CertificateJob(created_by=created_by, import_job=import_job, level=level)
        job.total = certificate_job_labels(job).count()
        job.save()
        transaction.on_commit(lambda: regenerate_certificates.delay(job.pk))
    return job


def _ranges(ids: Iterator[int], size: int) -> Iterator[list[int]]:
    """[first, last] of each run of ``size`` ids, from ids in ascending order."""
    first = last = None
    count = 0
    for pk in ids:
        if first is None:
            first = pk
        last, count = pk, count + 1
        if count == size:
            yield [first, last]
            first, count = None, 0
    if first is not None and last is not None:
        yield [first, last]


def certificate_job_run(*, job: CertificateJob) -> CertificateJob:
    """Cut the job's labels into ranges of label ids and queue one task per range that
    is not done yet. A re-run after a crash keeps the ranges it cut and queues only the
    unfinished ones; the ranges' tasks skip what is already current (the fingerprint).
    Labels written between queueing and running count too; a job with no label is done."""
    if not job.chunk_bounds:
        ids = certificate_job_labels(job).order_by("pk").values_list("pk", flat=True)
        # Two numbers per range: 10,000 labels are 100 ranges, and the ids pass through a cursor.
        bounds = list(_ranges(ids.iterator(chunk_size=2000), CHUNK_SIZE))
        total = certificate_job_labels(job).count()
        state = JobState.RUNNING if bounds else JobState.DONE
        CertificateJob.objects.filter(pk=job.pk).update(
            state=state, total=total, chunk_bounds=bounds, finished_at=None if bounds else timezone.now()
        )
        job.refresh_from_db()
    for first, last in job.chunk_bounds:
        if first not in job.chunks_done:
            render_certificate_range.delay(job.pk, first, last)
    job.refresh_from_db()
    return job


def certificate_range_run(*, job: CertificateJob, first: int, last: int) -> None:
    """Render the certificates of one range of the job's labels that are missing or whose
    facts or template changed, then count the range once. One broken label does not stop
    the others; it is reported on the job."""
    if first in job.chunks_done:
        return
    labels = certificate_job_labels(job).filter(pk__gte=first, pk__lte=last).select_related("organisation")
    processed = rendered = 0
    failed: list[str] = []
    for label in labels.order_by("pk").iterator(chunk_size=CHUNK_SIZE):
        try:
            if certificate_missing(label) or certificate_outdated(label):
                certificate_render(label=label)
                rendered += 1
        except Exception as exc:  # one broken label must not stop the others; it is reported
            logger.exception("certificate %s failed", label.code)
            failed.append(f"{label.code}: {type(exc).__name__}")
        processed += 1
    del labels
    # A label and its file field refer to each other, as do the pieces WeasyPrint builds: collected
    # here, once a range is drawn, they do not pile up until the interpreter's rare full collection.
    gc.collect()
    with transaction.atomic():
        locked = CertificateJob.objects.select_for_update().get(pk=job.pk)
        if first in locked.chunks_done:  # a redelivery that ran alongside
            return
        locked.chunks_done = [*locked.chunks_done, first]
        locked.processed += processed
        locked.rendered += rendered
        locked.failed = [*locked.failed, *failed]
        fields = ["chunks_done", "processed", "rendered", "failed"]
        if len(locked.chunks_done) >= len(locked.chunk_bounds):
            locked.state, locked.finished_at = JobState.DONE, timezone.now()
            fields += ["state", "finished_at"]
        locked.save(update_fields=fields)


@shared_task(name="labels.regenerate_certificates", acks_late=True)
def regenerate_certificates(job_id: int) -> None:
    """Bulk regeneration: queues one task per range of labels. Quiet if the job is gone or
    finished; a redelivered run queues only the ranges not done."""
    job = CertificateJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    certificate_job_run(job=job)


@shared_task(
    name="labels.render_certificate_range",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=960,
)
def render_certificate_range(job_id: int, first: int, last: int) -> None:
    """One range of a bulk regeneration. Quiet if the job is gone or finished; run twice,
    the second run renders nothing and counts nothing."""
    job = CertificateJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    certificate_range_run(job=job, first=first, last=last)
