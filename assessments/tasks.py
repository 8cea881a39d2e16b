"""Background work of the assessments app. Tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import translation

from assessments.benchmarking.pdf import benchmarking_pdf_render
from assessments.benchmarking.selectors import completed_benchmarkings
from assessments.models import AssessmentReport
from assessments.reports import report_render


@shared_task(
    name="assessments.render_report",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def render_report(application_id: int) -> None:
    """Render the assessment report PDF. Quiet if the report is gone; a second
    run for the same completed report changes nothing."""
    report = (
        AssessmentReport.objects.filter(application_id=application_id)
        .select_related("application__organisation")
        .first()
    )
    if report is None or report.completed_at is None:
        return
    report_render(report=report)


@shared_task(name="assessments.notify_overdue_clarifications", acks_late=True)
def notify_overdue_clarifications() -> int:
    """Daily: the office hears of every question whose answer is overdue, once."""
    from assessments.workflow import overdue_clarifications_notify

    return overdue_clarifications_notify()


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
