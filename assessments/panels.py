"""Blocks assessments adds to start pages of the apps below it."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from assessments import selectors
from assessments.pipeline import pipeline_for
from assessments.providers import bronze_benchmarkings_of
from assessments.selectors import applications_for_user_organisations
from assessments.services.applications import silver_window
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation
from common.http import AuthenticatedHttpRequest


def manager_applications(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    startable = list(
        ClusterOrganisation.objects.filter(
            memberships__user=user,
            memberships__left_at__isnull=True,
            memberships__role=MembershipRole.MANAGER,
            state=OrganisationState.ACTIVE,
        ).order_by("name")
    )
    today = timezone.localdate()
    # Silver, the second benchmarking, is told in advance: "Silver possible from X to Y".
    benchmarkings = bronze_benchmarkings_of([org.pk for org in startable])
    windows = [(org, silver_window(org, today, benchmarkings[org.pk])) for org in startable]
    return {
        "applications": applications_for_user_organisations(user),
        "startable": startable,
        "silver_windows": [(org, window) for org, window in windows if window is not None],
    }


def assessor_cases(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return {"assignments": selectors.assessor_cases(request.user)}


def partner_pipeline(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """How many of the partner's countries' applications are in progress, and how many
    have a late step (a question past its due date), in one query."""
    late = Q(clarifications__answered_at__isnull=True, clarifications__due_on__lt=timezone.localdate())
    return (
        pipeline_for(request.user)
        .order_by()
        .aggregate(in_progress=Count("pk", distinct=True), late=Count("pk", filter=late, distinct=True))
    )
