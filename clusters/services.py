"""Writes on organisations, memberships and partners."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from clusters.enums import MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, Membership, NationalPartner, PartnerStaff
from common.models import Sector


def unique_slug(base: str, *, model: type[ClusterOrganisation] | type[NationalPartner], max_length: int = 120) -> str:
    root = (slugify(base) or "organisation")[: max_length - 6]
    slug, n = root, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{root}-{n}"
    return slug


@transaction.atomic
def organisation_create(
    *,
    name: str,
    country: str,
    city: str = "",
    website: str = "",
    acronym: str = "",
    sectors: Iterable[Sector] = (),
    state: OrganisationState = OrganisationState.DRAFT,
) -> ClusterOrganisation:
    """Create an organisation profile. Side effects: none."""
    organisation = ClusterOrganisation.objects.create(
        name=name.strip(),
        acronym=acronym.strip(),
        slug=unique_slug(f"{name}-{country}", model=ClusterOrganisation),
        country=country,
        city=city,
        website=website,
        state=state,
    )
    organisation.sectors.set(list(sectors))
    return organisation


def membership_add(*, organisation: ClusterOrganisation, user: User, role: MembershipRole) -> Membership:
    """Make a person a current member; an existing current membership keeps its row, takes the role."""
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, left_at__isnull=True, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def partner_create(*, name: str, countries: Iterable[str], website: str = "") -> NationalPartner:
    return NationalPartner.objects.create(
        name=name, slug=unique_slug(name, model=NationalPartner), countries=sorted(set(countries)), website=website
    )


def partner_staff_add(*, partner: NationalPartner, user: User) -> PartnerStaff:
    staff, _created = PartnerStaff.objects.get_or_create(partner=partner, user=user)
    if hasattr(user, "_partner_countries_cache"):
        del user._partner_countries_cache
    return staff
