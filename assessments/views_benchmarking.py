"""The benchmarking report of a completed Bronze benchmarking, as a page and as a PDF.

Who may read it is the permission ``assessments.view_benchmarking`` (rules.py):
the organisation's members, its assigned assessors and the label office. Anyone
else gets a 404, so nobody learns which benchmarkings exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from assessments import selectors
from assessments.benchmarking.pdf import current_pdf, report_fingerprint
from assessments.benchmarking.report import benchmarking_report
from assessments.models import Application
from assessments.tasks import render_benchmarking_report
from common.http import AuthenticatedHttpRequest

PERMISSION = "assessments.view_benchmarking"
# While a PDF renders, the waiting page reloads every few seconds: queue it once a minute at most.
QUEUE_GUARD_SECONDS = 60


def _benchmarking_for(request: AuthenticatedHttpRequest, pk: int) -> Application:
    application = selectors.application_for(request.user, pk)
    if not request.user.has_perm(PERMISSION, application):
        raise Http404
    return application


@login_required
@require_GET
def benchmarking_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = _benchmarking_for(request, pk)
    return render(
        request,
        "assessments/benchmarking_detail.html",
        {"application": application, "data": benchmarking_report(application)},
    )


@login_required
@require_GET
def benchmarking_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The PDF when it shows today's figures; otherwise it is queued and a waiting page checks again."""
    application = _benchmarking_for(request, pk)
    data = benchmarking_report(application)
    fingerprint = report_fingerprint(data)
    stored = current_pdf(application, fingerprint)
    if stored is not None:
        return FileResponse(
            stored.pdf.open("rb"),
            as_attachment=True,
            content_type="application/pdf",
            filename=f"benchmarking-report-{application.organisation.slug}-{application.pk}.pdf",
        )
    if cache.add(f"benchmarking-pdf:{application.pk}:{fingerprint}", True, QUEUE_GUARD_SECONDS):
        language = translation.get_language()
        transaction.on_commit(lambda: _queue_pdf(application.pk, language))
    return render(request, "assessments/benchmarking_pending.html", {"application": application}, status=202)


def _queue_pdf(application_id: int, language: str) -> None:
    render_benchmarking_report.delay(application_id, language)
