"""Blocks assessments adds to start pages of the apps below it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from assessments import selectors
from assessments.pipeline import late_answers, pipeline_for
from assessments.selectors import applications_for_user_organisations
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation
from common.http import AuthenticatedHttpRequest


def manager_applications(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "applications": applications_for_user_organisations(user),
        "startable": ClusterOrganisation.objects.filter(
            memberships__user=user,
            memberships__left_at__isnull=True,
            memberships__role=MembershipRole.MANAGER,
            state=OrganisationState.ACTIVE,
        ).order_by("name"),
    }


def assessor_cases(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return {"assignments": selectors.assessor_cases(request.user)}


def partner_pipeline(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """How many of the partner's countries' applications are in progress, and how many have a late step."""
    ids = list(pipeline_for(request.user).values_list("pk", flat=True))
    return {"in_progress": len(ids), "late": len(late_answers(ids, timezone.localdate()))}
