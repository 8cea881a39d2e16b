"""The national partner's pipeline page: its countries' applications in progress."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assessments.pipeline import pipeline_for, pipeline_rows
from common.http import AuthenticatedHttpRequest
from common.permissions import permission_required

PAGE_SIZE = 50


@permission_required("assessments.view_pipeline")
def partner_pipeline(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = Paginator(pipeline_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assessments/partner_pipeline.html",
        {"page": page, "rows": pipeline_rows(list(page), today), "today": today},
    )
