"""Background work of the labels app. Tasks take ids and call services.

The reminders' tasks are here; the others live beside the service they run,
so no module imports its own caller: ``labels.certificates.rendering``
(render_certificate), ``labels.minutes`` (render_minutes), ``labels.certificates.jobs``
(regenerate_certificates, render_certificate_range), ``labels.imports.jobs`` (run_import),
``labels.figures`` (refresh_figures). They are imported below so that the worker's
autodiscovery, which reads ``<app>.tasks``, registers them too.
"""

from __future__ import annotations

from datetime import date

from celery import shared_task

from labels.certificates.jobs import regenerate_certificates, render_certificate_range
from labels.certificates.rendering import render_certificate
from labels.figures import refresh_figures
from labels.imports.jobs import run_import
from labels.minutes import render_minutes
from labels.reminders import reminder_digest_send, reminders_sweep

__all__ = [
    "refresh_figures",
    "regenerate_certificates",
    "render_certificate",
    "render_certificate_range",
    "render_minutes",
    "run_import",
    "send_label_reminders",
    "send_reminder_digest",
]


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
    reminder_digest_send()
