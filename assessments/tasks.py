"""Background work of the assessments app. Tasks take ids and call services.

Three tasks live beside the service they run, so that the service can queue
them without importing its own caller: ``assessments.reports`` (render_report),
``assessments.services.assessing`` (notify_overdue_clarifications) and
``assessments.services.deadlines`` (remind_late_steps). They are imported here
so that the worker's autodiscovery registers them.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import translation

from assessments.benchmarking.pdf import benchmarking_pdf_render
from assessments.benchmarking.selectors import completed_benchmarkings
from assessments.reports import render_report
from assessments.services.assessing import notify_overdue_clarifications
from assessments.services.deadlines import remind_late_steps

__all__ = ["notify_overdue_clarifications", "remind_late_steps", "render_benchmarking_report", "render_report"]


@shared_task(
    name="assessments.render_benchmarking_report",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=150,
)
def render_benchmarking_report(application_id: int, language: str | None = None) -> None:
    """Render a completed benchmarking's report as a PDF, in ``language`` (the reader's).
    Quiet if the application is gone or not a completed benchmarking; a second run
    with the same figures changes nothing."""
    application = completed_benchmarkings().select_related("organisation", "version").filter(pk=application_id).first()
    if application is None:
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        benchmarking_pdf_render(application=application)
