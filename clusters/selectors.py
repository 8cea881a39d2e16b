"""Reads on organisations, each scoped to what the person may see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict, cast

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.rules import is_label_office
from clusters.eligibility import EligibilityAnnotation, eligibility_of, with_eligibility
from clusters.enums import InvitationState, MembershipRole, NameChangeState, OrganisationState
from clusters.models import ClusterOrganisation, Invitation, Membership, NameChangeRequest, NationalPartner
from clusters.rules import partner_countries_of
from common.workflow import StateChange, state_changes_of

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class CountryCount(TypedDict):
    country: str
    total: int
    active: int


class SectorCount(TypedDict):
    sectors__name: str
    sectors__position: int
    total: int


class ListAnnotation(EligibilityAnnotation):
    # Not an annotation but the Prefetch's to_attr (_current_managers): the same to the type checker.
    current_managers: list[Membership]


ListedOrganisation: TypeAlias = "WithAnnotations[ClusterOrganisation, ListAnnotation]"


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


def countries_with_organisations() -> list[str]:
    """The codes of the countries where any organisation is registered, in order.

    ``SELECT DISTINCT country`` reads every organisation (10 to 17 ms for 33,000 on
    PostgreSQL, on every statistics page); this walks the index on (country, state)
    from one country to the next instead, one index probe per country, on SQLite too."""
    table = ClusterOrganisation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE walk(country) AS (
                SELECT (SELECT country FROM {table} ORDER BY country LIMIT 1)
                UNION ALL
                SELECT (SELECT country FROM {table} WHERE country > walk.country ORDER BY country LIMIT 1)
                FROM walk WHERE walk.country IS NOT NULL
            )
            SELECT country FROM walk WHERE country IS NOT NULL
            """
        )
        return [code for (code,) in cursor.fetchall()]


def organisation_counts_by_state(queryset: QuerySet[ClusterOrganisation]) -> dict[str, int]:
    counts = dict(queryset.order_by().values_list("state").annotate(n=Count("id")))
    return {state: counts.get(state, 0) for state in OrganisationState.values}


def organisation_counts_by_country(queryset: QuerySet[ClusterOrganisation]) -> list[CountryCount]:
    """Per country: organisations in all, and active ones."""
    rows = (
        queryset.order_by()
        .values("country")
        .annotate(total=Count("id"), active=Count("id", filter=Q(state=OrganisationState.ACTIVE)))
        .order_by("-total", "country")
    )
    # values() gives the stored code, not the Country that the model's field is typed as.
    return cast(list[CountryCount], list(rows))


def organisation_counts_by_sector(queryset: QuerySet[ClusterOrganisation]) -> list[SectorCount]:
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


def organisation_find(*, name: str, country: str) -> ClusterOrganisation | None:
    """The organisation of that name (ignoring case and outer spaces) in that country."""
    return ClusterOrganisation.objects.filter(name__iexact=name.strip(), country=country.upper()).first()


def organisations_visible_to(user: User) -> QuerySet[ClusterOrganisation]:
    """The one scope for organisation pages: the office sees all, partner staff
    their countries, members their own organisations, everyone else nothing."""
    if is_label_office(user):
        return ClusterOrganisation.objects.all()
    countries = sorted(partner_countries_of(user))
    own = Q(memberships__user=user, memberships__left_at__isnull=True) if user.is_authenticated else Q(pk__in=[])
    return ClusterOrganisation.objects.filter(Q(country__in=countries) | own).distinct()


def organisation_for(user: User, slug: str) -> ClusterOrganisation:
    """The organisation if the person may see it; 404 otherwise, so nobody learns what exists."""
    return get_object_or_404(organisations_visible_to(user), slug=slug)


def organisations_listed_for(user: User) -> QuerySet[ClusterOrganisation]:
    """What the office and partner lists hold: the office all, partners their countries."""
    if is_label_office(user):
        return ClusterOrganisation.objects.all()
    return ClusterOrganisation.objects.filter(country__in=sorted(partner_countries_of(user)))


def organisation_list(queryset: QuerySet[ClusterOrganisation], filters: dict[str, Any]) -> QuerySet[ListedOrganisation]:
    """Filter (name, country, sector, state, eligibility) and prepare a list page."""
    queryset = with_eligibility(queryset)
    if filters.get("q"):
        queryset = queryset.filter(Q(name__icontains=filters["q"]) | Q(acronym__icontains=filters["q"]))
    if filters.get("country"):
        queryset = queryset.filter(country=filters["country"])
    if filters.get("sector"):
        queryset = queryset.filter(sectors=filters["sector"])
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("eligible") in ("yes", "no"):
        queryset = queryset.filter(is_eligible=filters["eligible"] == "yes")
    # The cast adds current_managers, which the type checker cannot see a Prefetch give.
    return cast(
        "QuerySet[ListedOrganisation]",
        queryset.prefetch_related("sectors", _current_managers()).order_by("country", "name"),
    )


def validation_queue_for(user: User) -> QuerySet[ClusterOrganisation]:
    """Pending organisations the person validates, oldest first."""
    return (
        with_eligibility(organisations_listed_for(user).filter(state=OrganisationState.PENDING))
        .prefetch_related("sectors", _current_managers())
        .order_by("created_at")
    )


def name_changes_pending_for(user: User) -> QuerySet[NameChangeRequest]:
    """New names waiting for the person's decision: the office all, partners their countries', oldest first."""
    return (
        NameChangeRequest.objects.filter(
            state=NameChangeState.PENDING, organisation__in=organisations_listed_for(user).values("pk")
        )
        .select_related("organisation", "requested_by")
        .order_by("requested_at")
    )


def name_change_shown_on(organisation: ClusterOrganisation) -> NameChangeRequest | None:
    """The request its page shows: the pending one, else the last one if refused (its reason stays in view)."""
    last = organisation.name_changes.select_related("requested_by").order_by("-requested_at", "-pk").first()
    if last is None or last.state not in (NameChangeState.PENDING, NameChangeState.REFUSED):
        return None
    return last


def people_of(organisation: ClusterOrganisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, left_at__isnull=True)
        .select_related("user")
        .order_by("role", "user__full_name")
    )


def pending_invitations_of(organisation: ClusterOrganisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organisation=organisation, state=InvitationState.PENDING).select_related(
        "invited_by"
    )


def transitions_of(organisation: ClusterOrganisation) -> list[StateChange]:
    return state_changes_of(organisation, workflow="organisation")


def partner_country_codes(user: User) -> list[str]:
    return sorted(partner_countries_of(user))


def application_blockers(organisation: ClusterOrganisation) -> list[str]:
    """Why the organisation cannot apply for a label now; empty when it can.

    The one place the assessments app asks before it opens an application.
    """
    blockers = []
    if organisation.state != OrganisationState.ACTIVE:
        blockers.append(_("The organisation's profile must be validated first."))
    blockers.extend(
        _("Eligibility: %(criterion)s is not met (%(figure)s).") % {"criterion": r.criterion.label, "figure": r.figure}
        for r in eligibility_of(organisation).missing
    )
    return blockers


def organisation_can_apply(organisation: ClusterOrganisation) -> bool:
    return not application_blockers(organisation)
