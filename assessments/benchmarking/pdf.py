"""The report as a stored PDF: its fingerprint, the stored copy while current, the service that
renders it, and the tasks that keep it ready (``assessments.render_benchmarking_report``,
``assessments.refresh_benchmarking_reports``).

Peer figures move whenever another organisation completes a benchmarking, so the
stored PDF keeps the fingerprint of the facts it shows and is rendered again only
when they change. The figures and their context are here; the mechanism (hash,
compare, render, store, delete the old file after commit) is ``common.pdf``'s,
shared with the certificate and the assessment report.

Rendered ahead, not when asked: whatever changes what a report shows (a
benchmarking or any other application reaching the awarded state, a label
created, revoked, reinstated, corrected or imported, which moves the level
groups) calls ``benchmarking_reports_refresh``. After commit, one refresh per
burst of changes is queued (a cache guard that lives as long as the countdown),
and it asks every completed benchmarking's report to be rendered again; each
rendering compares the fingerprint first, so a report whose figures did not move
is left alone. A nightly run catches what moves with the passing of days (a
label expiring) and what no change announces (an organisation renamed, a new
template). The download's waiting page stays as the fallback.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from assessments.benchmarking.report import BenchmarkingData, benchmarking_report
from assessments.benchmarking.selectors import completed_benchmarkings
from assessments.models import Application, BenchmarkingReport
from clusters.services import managers_of
from common.pdf import PdfDocument, facts_fingerprint, pdf_missing, pdf_store

PDF_TEMPLATE = "assessments/benchmarking_pdf.html"
# Changes within this many seconds of the first are one refresh (an import, a committee's batch).
REFRESH_DELAY_SECONDS = 30
REFRESH_GUARD_KEY = "benchmarking-pdf:refresh"


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
        fields={"rendered_at": timezone.now(), "language": document.language or ""},
    )
    return stored


def report_language(application: Application) -> str:
    """The language a report is rendered in ahead of a download: that of its stored copy (the
    last reader's), else the one most of the organisation's managers prefer, else the default."""
    stored = BenchmarkingReport.objects.filter(application=application).values_list("language", flat=True).first()
    if stored:
        return stored
    preferred = Counter(manager.preferred_language for manager in managers_of(application.organisation))
    return preferred.most_common(1)[0][0] if preferred else settings.LANGUAGE_CODE


def benchmarking_reports_refresh() -> None:
    """Something a report shows may have changed: render every report again, ahead of the reader.

    Side effects: after commit, ``assessments.refresh_benchmarking_reports`` is queued with a
    countdown, unless one is queued already; every change before it starts is in what it reads.
    """
    transaction.on_commit(_refresh_queue)


def _refresh_queue() -> None:
    if not settings.BENCHMARKING_PDFS_AHEAD:
        return
    # The guard expires just before the countdown ends: a change committed once the refresh has
    # started (and may have read the figures already) queues the next one. A change between the
    # guard's end and the start queues one more, which finds nothing to do.
    if cache.add(REFRESH_GUARD_KEY, True, REFRESH_DELAY_SECONDS - 1):
        refresh_benchmarking_reports.apply_async(countdown=REFRESH_DELAY_SECONDS)


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
    """Render a completed benchmarking's report as a PDF, in ``language`` (the reader's; without
    it, ``report_language``). Quiet if the application is gone or not a completed benchmarking;
    a second run with the same figures changes nothing."""
    application = completed_benchmarkings().select_related("organisation", "version").filter(pk=application_id).first()
    if application is None:
        return
    with translation.override(language or report_language(application)):
        benchmarking_pdf_render(application=application)


@shared_task(name="assessments.refresh_benchmarking_reports", acks_late=True)
def refresh_benchmarking_reports() -> int:
    """Queue the rendering of every completed benchmarking's report; each one is rendered only if
    its figures moved. Returns how many were queued. Run twice, the second run renders nothing.
    With ``BENCHMARKING_PDFS_AHEAD`` off (the embedded default, tasks in process) it does nothing:
    the beat beside ``make run`` would render every report at start, holding SQLite's write
    lock while the first pages wait; there the download renders on demand."""
    if not settings.BENCHMARKING_PDFS_AHEAD:
        return 0
    ids = completed_benchmarkings().order_by("pk").values_list("pk", flat=True)
    queued = 0
    for application_id in ids.iterator(chunk_size=500):
        render_benchmarking_report.delay(application_id)
        queued += 1
    return queued
