"""The assessment report as a PDF, rendered by a Celery task, never in a request."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction

from assessments.models import AssessmentReport, Indicator, Section
from assessments.workflow import agreed_scores
from common.pdf import render_pdf


def report_file_name(report: AssessmentReport) -> str:
    # One name per completion: a re-completed report gets a new file, a re-run of
    # the same completion finds its file and stops.
    return f"reports/report-{report.application_id}-{report.completed_at:%Y%m%d%H%M%S}.pdf"


@transaction.atomic
def report_render(*, report: AssessmentReport) -> AssessmentReport:
    """Render and store the report PDF, once per completion. Side effects: a private file."""
    report = AssessmentReport.objects.select_for_update().select_related("application__organisation").get(pk=report.pk)
    name = report_file_name(report)
    if report.pdf and report.pdf.name == name and report.pdf.storage.exists(name):
        return report
    application = report.application
    scores = agreed_scores(application)
    sections = [
        (section, [(indicator, scores.get(indicator.pk)) for indicator in section.indicators.order_by("position")])
        for section in Section.objects.filter(version=application.version).order_by("position")
    ]
    pdf = render_pdf(
        "assessments/report_pdf.html",
        {
            "report": report,
            "application": application,
            "sections": sections,
            "indicator_count": Indicator.objects.filter(version=application.version).count(),
        },
    )
    if report.pdf.storage.exists(name):
        report.pdf.storage.delete(name)
    report.pdf.save(name.rsplit("/", 1)[-1], ContentFile(pdf), save=False)
    report.save(update_fields=["pdf"])
    return report
