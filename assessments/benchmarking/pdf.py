"""The report as a stored PDF: its fingerprint, the stored copy while current, and the service that renders it
(run by the task ``assessments.render_benchmarking_report``).

Peer figures move whenever another organisation completes a benchmarking, so the
stored PDF keeps the fingerprint of the facts it shows and is rendered again only
when they change. The figures and their context are here; the mechanism (hash,
compare, render, store, delete the old file after commit) is ``common.pdf``'s,
shared with the certificate and the assessment report.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from assessments.benchmarking.report import BenchmarkingData, benchmarking_report
from assessments.models import Application, BenchmarkingReport
from common.pdf import PdfDocument, facts_fingerprint, pdf_missing, pdf_store

PDF_TEMPLATE = "assessments/benchmarking_pdf.html"


def report_facts(data: BenchmarkingData) -> dict[str, Any]:
    """Everything the report shows; its hash decides whether the PDF is rendered again."""
    report = data.report
    return {
        "application": data.application.pk,
        "organisation": data.application.organisation.name,
        "assessed_on": str(data.application.assessed_on),
        "summary": report.summary if report else "",
        "strengths": report.strengths if report else "",
        "groups": [(g.key, g.label, g.size, g.withheld_reason) for g in data.groups],
        "indicators": [
            [
                row.indicator.code,
                row.indicator.title,
                row.value,
                row.comment,
                row.recommendation,
                [(f.group.key, f.summary and vars(f.summary), f.percentile, f.note) for f in row.figures],
            ]
            for section in data.sections
            for row in section.indicators
        ],
        "recommendations": [(s.section.code, s.recommendation) for s in data.sections],
        "rules": [str(value) for value in vars(data.rules).values()],
        # The PDF is printed in the language of whoever asks for it.
        "language": translation.get_language(),
    }


def report_fingerprint(data: BenchmarkingData) -> str:
    return facts_fingerprint(report_facts(data), template=PDF_TEMPLATE)


def current_pdf(application: Application, fingerprint: str) -> BenchmarkingReport | None:
    """The stored PDF if it shows exactly these figures, else None."""
    stored = BenchmarkingReport.objects.filter(application=application, fingerprint=fingerprint).first()
    if stored is None or pdf_missing(stored.pdf):
        return None
    return stored


@transaction.atomic
def benchmarking_pdf_render(*, application: Application) -> BenchmarkingReport:
    """Render and store the report as a PDF unless the stored one shows the same figures.

    Side effects: a private PDF file; the outdated one is deleted after commit.
    """
    stored, _created = BenchmarkingReport.objects.select_for_update().get_or_create(application=application)
    data = benchmarking_report(application)
    document = PdfDocument(
        template=PDF_TEMPLATE,
        facts=report_facts(data),
        context=lambda: {"data": data, "application": application},
        file_name=lambda stamp: f"benchmarking-{application.pk}-{stamp[:12]}.pdf",
        language=translation.get_language(),
    )
    pdf_store(
        instance=stored,
        file_field="pdf",
        fingerprint_field="fingerprint",
        document=document,
        fields={"rendered_at": timezone.now()},
    )
    return stored
