"""Reads on organisations, each scoped to what the person may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, Membership, NationalPartner
from clusters.rules import partner_countries_of


def memberships_of(user: User) -> QuerySet[Membership]:
    """The person's current memberships, with their organisations."""
    return (
        Membership.objects.filter(user=user, left_at__isnull=True)
        .select_related("organisation")
        .annotate(
            people=Count(
                "organisation__memberships", filter=Q(organisation__memberships__left_at__isnull=True), distinct=True
            )
        )
        .order_by("organisation__name")
    )


def partners_of(user: User) -> QuerySet[NationalPartner]:
    return NationalPartner.objects.filter(staff__user=user).order_by("name")


def organisations_for_partner(user: User) -> QuerySet[ClusterOrganisation]:
    """Every organisation in the countries of the partners the person works for."""
    return (
        ClusterOrganisation.objects.filter(country__in=sorted(partner_countries_of(user)))
        .prefetch_related("sectors", _current_managers())
        .order_by("country", "name")
    )


def organisations_pending_validation() -> QuerySet[ClusterOrganisation]:
    return ClusterOrganisation.objects.filter(state=OrganisationState.PENDING).order_by("created_at")


def organisation_counts_by_state(queryset: QuerySet[ClusterOrganisation]) -> dict[str, int]:
    counts = dict(queryset.order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in OrganisationState.values}


def organisation_counts_by_country(queryset: QuerySet[ClusterOrganisation]) -> list[dict[str, object]]:
    """Per country: organisations in all, and active ones."""
    return list(
        queryset.order_by()
        .values("country")
        .annotate(total=Count("id"), active=Count("id", filter=Q(state=OrganisationState.ACTIVE)))
        .order_by("-total", "country")
    )


def organisation_counts_by_sector(queryset: QuerySet[ClusterOrganisation]) -> list[dict[str, object]]:
    return list(
        queryset.order_by()
        .filter(sectors__isnull=False)
        .values("sectors__name", "sectors__position")
        .annotate(total=Count("id", distinct=True))
        .order_by("sectors__position")
    )


def _current_managers() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(left_at__isnull=True, role=MembershipRole.MANAGER).select_related("user"),
        to_attr="current_managers",
    )
