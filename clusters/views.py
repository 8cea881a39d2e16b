"""Pages about organisations: the manager's and the partner's start pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clusters import selectors
from clusters.enums import OrganisationState
from common.permissions import permission_required


@permission_required("clusters.view_manager_start")
def manager_start(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of(request.user)  # type: ignore[arg-type]
    return render(request, "clusters/manager_start.html", {"memberships": memberships})


@permission_required("clusters.view_partner_start")
def partner_start(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_partner(request.user)  # type: ignore[arg-type]
    page = Paginator(organisations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "clusters/partner_start.html",
        {
            "partners": selectors.partners_of(request.user),  # type: ignore[arg-type]
            "page": page,
            "state_counts": selectors.organisation_counts_by_state(organisations),
            "states": OrganisationState,
        },
    )
