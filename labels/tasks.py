"""Background work of the labels app. Tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task

from labels.models import CertificateJob, ImportJob, Label
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


@shared_task(
    name="labels.render_certificate",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def render_certificate(label_id: int) -> None:
    """Render a label's certificate. Quiet if the label is gone; idempotent."""
    from labels.certificates import certificate_render

    label = Label.objects.filter(pk=label_id).first()
    if label is None:
        return
    certificate_render(label=label)


@shared_task(name="labels.regenerate_certificates", acks_late=True, soft_time_limit=3600, time_limit=3700)
def regenerate_certificates(job_id: int) -> None:
    """Bulk regeneration. Quiet if the job is gone or finished; a redelivered run
    continues where the crash left it (current certificates are skipped)."""
    from labels.services import certificate_job_run

    job = CertificateJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    certificate_job_run(job=job)
