"""The assessment report as a PDF, rendered by a Celery task, never in a request."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from assessments.models import AssessmentReport, Indicator, Section
from assessments.selectors import agreed_scores
from common.pdf import PdfDocument, pdf_store

PDF_TEMPLATE = "assessments/report_pdf.html"


def report_facts(report: AssessmentReport) -> dict[str, object]:
    # What the report shows is settled when the assessor completes it: one PDF per
    # completion. A re-completed report is drawn again, a re-run of the same
    # completion finds its file and stops.
    assert report.completed_at is not None  # only completed reports are drawn
    return {"application": report.application_id, "completed_at": report.completed_at.isoformat()}


def report_file_name(report: AssessmentReport) -> str:
    return f"report-{report.application_id}-{report.completed_at:%Y%m%d%H%M%S}.pdf"


def report_document(report: AssessmentReport) -> PdfDocument:
    application = report.application

    def context() -> dict[str, object]:
        scores = agreed_scores(application)
        sections = [
            (section, [(indicator, scores.get(indicator.pk)) for indicator in section.indicators.order_by("position")])
            for section in Section.objects.filter(version=application.version).order_by("position")
        ]
        return {
            "report": report,
            "application": application,
            "sections": sections,
            "indicator_count": Indicator.objects.filter(version=application.version).count(),
            # Silver: the three areas and the auditor's verdict on each.
            "areas": list(application.improvement_areas.order_by("position")),
        }

    return PdfDocument(
        template=PDF_TEMPLATE,
        facts=report_facts(report),
        context=context,
        file_name=lambda stamp: report_file_name(report),
    )


@transaction.atomic
def report_render(*, report: AssessmentReport) -> AssessmentReport:
    """Render and store the report PDF, once per completion.

    Side effects: a private file; the one of an earlier completion is deleted after commit.
    """
    report = AssessmentReport.objects.select_for_update().select_related("application__organisation").get(pk=report.pk)
    pdf_store(instance=report, file_field="pdf", fingerprint_field="pdf_fingerprint", document=report_document(report))
    return report


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
