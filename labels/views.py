"""Start pages of the scheme's own people: office, committee, policy readers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import assessor_pool, staff_role_counts
from clusters import selectors as cluster_selectors
from clusters.models import ClusterOrganisation
from common.permissions import permission_required
from common.scheme import all_rules


@permission_required("labels.view_office_start")
def office_start(request: HttpRequest) -> HttpResponse:
    organisations = ClusterOrganisation.objects.all()
    return render(
        request,
        "labels/office_start.html",
        {
            "pending": cluster_selectors.organisations_pending_validation()[:20],
            "pending_total": cluster_selectors.organisations_pending_validation().count(),
            "state_counts": cluster_selectors.organisation_counts_by_state(organisations),
            "assessors": assessor_pool(),
            "role_counts": staff_role_counts(),
        },
    )


@permission_required("labels.view_committee_start")
def committee_start(request: HttpRequest) -> HttpResponse:
    return render(request, "labels/committee_start.html", {"level_rules": all_rules()})


@permission_required("labels.view_statistics")
def policy_start(request: HttpRequest) -> HttpResponse:
    organisations = ClusterOrganisation.objects.all()
    return render(
        request,
        "labels/policy_start.html",
        {
            "by_country": cluster_selectors.organisation_counts_by_country(organisations),
            "by_sector": cluster_selectors.organisation_counts_by_sector(organisations),
            "state_counts": cluster_selectors.organisation_counts_by_state(organisations),
        },
    )
