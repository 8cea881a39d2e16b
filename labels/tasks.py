"""Background work of the labels app. Tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task

from labels.models import ImportJob
from labels.services import import_job_run


# acks_late: a worker killed mid-import leaves the job "running" and its
# transaction rolled back; the redelivered task runs it again from the start.
@shared_task(name="labels.run_import", acks_late=True)
def run_import(job_id: int) -> None:
    """Run an uploaded label import. Quiet if the job is gone or already finished."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    import_job_run(job=job)
