"""Background work of the labels app. Tasks take ids and call services."""

from __future__ import annotations

from datetime import date

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


# SMTP failures (smtplib errors are OSErrors) leave the reminder pending: the
# retry, or tomorrow's sweep, sends it. Rows already sent are never sent again.
@shared_task(
    name="labels.send_label_reminders",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
    soft_time_limit=1800,
    time_limit=1900,
)
def send_label_reminders(today: str | None = None, dry_run: bool = False) -> dict[str, object]:
    """The daily re-certification sweep (beat), also run by ``manage.py send_label_reminders``."""
    from labels.reminders import reminders_sweep

    report = reminders_sweep(today=date.fromisoformat(today) if today else None, dry_run=dry_run)
    return {
        "today": report.today.isoformat(),
        "due": report.due,
        "sent": report.sent,
        "skipped": report.skipped,
        "failed": report.failed,
        "messages": report.messages,
        "planned": report.planned,
    }


@shared_task(name="labels.send_reminder_digest", acks_late=True, autoretry_for=(OSError,), retry_backoff=60)
def send_reminder_digest() -> None:
    """The label office's weekly digest (beat); once a week whatever the retries."""
    from labels.reminders import reminder_digest_send

    reminder_digest_send()
