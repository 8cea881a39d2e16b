"""The report as a stored PDF: its fingerprint, the stored copy while current, and the service that renders it
(run by the task ``assessments.render_benchmarking_report``).

Peer figures move whenever another organisation completes a benchmarking, so the
stored PDF keeps the fingerprint of the facts it shows and is rendered again only
when they change. Kept in one module, apart from the report, so that it can join
one PDF pipeline with the certificate and the assessment report.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import get_template
from django.utils import timezone, translation

from assessments.benchmarking.groups import MIN_PEERS
from assessments.benchmarking.report import BenchmarkingData, benchmarking_report
from assessments.models import Application, BenchmarkingReport
from common.pdf import render_pdf

PDF_TEMPLATE = "assessments/benchmarking_pdf.html"


def template_fingerprint() -> str:
    """A hash of the PDF template: changing the template outdates every stored PDF."""
    source = Path(get_template(PDF_TEMPLATE).origin.name).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16]


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
        "template": template_fingerprint(),
        # The PDF is printed in the language of whoever asks for it.
        "language": translation.get_language(),
    }


def report_fingerprint(data: BenchmarkingData) -> str:
    return hashlib.sha256(json.dumps(report_facts(data), sort_keys=True).encode()).hexdigest()


def current_pdf(application: Application, fingerprint: str) -> BenchmarkingReport | None:
    """The stored PDF if it shows exactly these figures, else None."""
    stored = BenchmarkingReport.objects.filter(application=application, fingerprint=fingerprint).first()
    if stored is None or not stored.pdf or not stored.pdf.storage.exists(stored.pdf.name):
        return None
    return stored


@transaction.atomic
def benchmarking_pdf_render(*, application: Application) -> BenchmarkingReport:
    """Render and store the report as a PDF unless the stored one shows the same figures.

    Side effects: a private PDF file; the outdated one is deleted after commit.
    """
    stored, _created = BenchmarkingReport.objects.select_for_update().get_or_create(application=application)
    data = benchmarking_report(application)
    stamp = report_fingerprint(data)
    if stored.fingerprint == stamp and stored.pdf and stored.pdf.storage.exists(stored.pdf.name):
        return stored
    pdf = render_pdf(
        PDF_TEMPLATE,
        {"data": data, "application": application, "min_peers": MIN_PEERS},
        language=translation.get_language(),
    )
    _pdf_replace(stored, pdf, stamp)
    return stored


def _pdf_replace(stored: BenchmarkingReport, pdf: bytes, stamp: str) -> None:
    """Save the new file under a name of its own; the outdated one goes only once this commits,
    so a rollback leaves the row pointing at a file that still exists."""
    old = stored.pdf.name if stored.pdf else ""
    stored.pdf.save(f"benchmarking-{stored.application_id}-{stamp[:12]}.pdf", ContentFile(pdf), save=False)
    stored.fingerprint = stamp
    stored.rendered_at = timezone.now()
    stored.save(update_fields=["pdf", "fingerprint", "rendered_at"])
    if old and old != stored.pdf.name:
        storage = stored.pdf.storage
        transaction.on_commit(lambda: storage.delete(old))
