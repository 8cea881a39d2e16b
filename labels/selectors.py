"""Reads on labels that several places share."""

from __future__ import annotations

from datetime import date

from django.db.models import Max

from clusters.models import ClusterOrganisation
from common.enums import Level
from labels.models import Label


def latest_bronze_assessed_on(organisation: ClusterOrganisation) -> date | None:
    """The date of the organisation's latest Bronze benchmarking on record (not revoked)."""
    latest: date | None = Label.objects.filter(
        organisation=organisation, level=Level.BRONZE, revoked_at__isnull=True
    ).aggregate(latest=Max("assessed_on"))["latest"]
    return latest
