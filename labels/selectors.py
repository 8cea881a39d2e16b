"""Reads on labels that several places share."""

from __future__ import annotations

from datetime import date

from django.db.models import Max
from django.http import HttpRequest

from clusters.models import ClusterOrganisation
from common.enums import Level
from labels.models import Label


def latest_bronze_assessed_on(organisation: ClusterOrganisation) -> date | None:
    """The date of the organisation's latest Bronze benchmarking on record (not revoked)."""
    latest: date | None = Label.objects.filter(
        organisation=organisation, level=Level.BRONZE, revoked_at__isnull=True
    ).aggregate(latest=Max("assessed_on"))["latest"]
    return latest


def manager_labels_panel(request: HttpRequest) -> dict[str, object]:
    """The current labels of the person's organisations, for their start page."""
    return {
        "labels": Label.objects.filter(
            organisation__memberships__user=request.user,
            organisation__memberships__left_at__isnull=True,
            revoked_at__isnull=True,
            superseded_by__isnull=True,
        )
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "level")
    }
