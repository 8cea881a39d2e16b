"""Who may do what with cluster organisations (django-rules predicates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeGuard

import rules

from accounts.rules import is_label_office
from clusters.enums import MembershipRole
from common.person_reads import PersonRead, person_read, register

if TYPE_CHECKING:
    from accounts.models import User
    from clusters.models import ClusterOrganisation, Invitation, NameChangeRequest


def _active(user: object) -> TypeGuard[User]:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _partners_select() -> str:
    from clusters.models import NationalPartner, PartnerStaff

    return (
        f"SELECT p.countries AS t, p.id AS n FROM {NationalPartner._meta.db_table} p "
        f"INNER JOIN {PartnerStaff._meta.db_table} s ON s.partner_id = p.id WHERE s.user_id = %s"
    )


def _partner_countries(rows: list[tuple[Any, Any]]) -> list[set[str]]:
    from clusters.models import NationalPartner

    # The field reads its stored text ("RS,ME") as it reads it from a row.
    return [{country.code for country in NationalPartner(countries=text).countries} for text, _pk in rows]


def _memberships_select() -> str:
    from clusters.models import Membership

    return (
        f"SELECT role AS t, organisation_id AS n FROM {Membership._meta.db_table} "
        "WHERE user_id = %s AND left_at IS NULL"
    )


# Read with the person's other roles, once per request (common.person_reads).
register(
    PersonRead(
        "clusters.partners",
        _partners_select,
        lambda pk: (pk,),
        _partner_countries,
        ("clusters.PartnerStaff", "clusters.NationalPartner"),
    )
)
register(
    PersonRead(
        "clusters.memberships",
        _memberships_select,
        lambda pk: (pk,),
        lambda rows: {organisation: role for role, organisation in rows},
        ("clusters.Membership",),
    )
)


def _partners_of(user: User) -> list[set[str]]:
    """The country codes of each national partner the person works for: one read
    per request, shared by "is partner staff" and "partner for which countries"."""
    countries: list[set[str]] = person_read("clusters.partners", user.pk)
    return countries


def partner_countries_of(user: object) -> set[str]:
    """Country codes of every national partner the person works for (cached per user object)."""
    if not _active(user):
        return set()
    countries = getattr(user, "_partner_countries_cache", None)
    if countries is None:
        countries = set().union(*_partners_of(user))
        user._partner_countries_cache = countries
    return set(countries)


def current_roles_of(user: User) -> dict[int, str]:
    """The person's current memberships, organisation id -> role: one read per
    request however many rules ask (``common.request_cache``)."""
    roles: dict[int, str] = person_read("clusters.memberships", user.pk)
    return roles


@rules.predicate
def is_cluster_manager(user: object) -> bool:
    if not _active(user):
        return False
    return bool(current_roles_of(user))


@rules.predicate
def is_partner_staff(user: object) -> bool:
    if not _active(user):
        return False
    return bool(_partners_of(user))


def is_member_of_organisation_id(user: object, organisation_id: int | None) -> bool:
    """``is_member_of_cluster`` by the organisation's id, for a caller holding only
    the foreign key (an application): the organisation need not be read."""
    return _active(user) and organisation_id is not None and organisation_id in current_roles_of(user)


def is_manager_of_organisation_id(user: object, organisation_id: int | None) -> bool:
    return (
        _active(user)
        and organisation_id is not None
        and current_roles_of(user).get(organisation_id) == MembershipRole.MANAGER
    )


@rules.predicate
def is_member_of_cluster(user: object, organisation: ClusterOrganisation | None) -> bool:
    return organisation is not None and is_member_of_organisation_id(user, organisation.pk)


@rules.predicate
def is_manager_of_cluster(user: object, organisation: ClusterOrganisation | None) -> bool:
    return organisation is not None and is_manager_of_organisation_id(user, organisation.pk)


@rules.predicate
def is_partner_for_country(user: object, organisation: ClusterOrganisation | None) -> bool:
    if organisation is None:
        return False
    return getattr(organisation, "country", None) in partner_countries_of(user)


rules.add_perm("clusters.view_manager_start", is_cluster_manager)
rules.add_perm("clusters.view_partner_start", is_partner_staff)
rules.add_perm("clusters.view_organisation", is_member_of_cluster | is_partner_for_country | is_label_office)


@rules.predicate
def is_validator_for(user: object, organisation: ClusterOrganisation | None) -> bool:
    """Partner staff validate their countries' organisations; the office any."""
    return bool(is_partner_for_country(user, organisation) or is_label_office(user))


rules.add_perm("clusters.view_organisation_list", is_partner_staff | is_label_office)
rules.add_perm("clusters.validate_organisations", is_partner_staff | is_label_office)
rules.add_perm("clusters.edit_organisation", is_manager_of_cluster)
rules.add_perm("clusters.manage_people", is_manager_of_cluster)
rules.add_perm("clusters.submit_organisation", is_manager_of_cluster)
rules.add_perm("clusters.validate_organisation", is_validator_for)
rules.add_perm("clusters.waive_criterion", is_validator_for)
rules.add_perm("clusters.deactivate_organisation", is_label_office)
# The office corrects a name as printed on labels (a typo on a certificate), with a reason kept by labels.
rules.add_perm("clusters.correct_organisation_name", is_label_office)


@rules.predicate
def is_invited_person(user: object, invitation: Invitation | None) -> bool:
    """The person signed in with the address the invitation was sent to."""
    if not _active(user) or invitation is None:
        return False
    return user.email.lower() == invitation.email.lower()


@rules.predicate
def is_manager_of_inviting_cluster(user: object, invitation: Invitation | None) -> bool:
    return invitation is not None and bool(is_manager_of_cluster(user, invitation.organisation))


rules.add_perm("clusters.accept_invitation", is_invited_person)
rules.add_perm("clusters.revoke_invitation", is_manager_of_inviting_cluster)


# A name change request: asked and withdrawn by the organisation's managers,
# decided by its validator. Each delegates to the organisation's predicate.
@rules.predicate
def is_manager_of_renamed(user: object, request: NameChangeRequest | None) -> bool:
    return request is not None and bool(is_manager_of_cluster(user, request.organisation))


@rules.predicate
def is_validator_of_renamed(user: object, request: NameChangeRequest | None) -> bool:
    return request is not None and bool(is_validator_for(user, request.organisation))


# Checked against the organisation: who may ask for a new name.
rules.add_perm("clusters.request_name_change", is_manager_of_cluster)
# Checked against the request.
rules.add_perm("clusters.withdraw_name_change", is_manager_of_renamed)
rules.add_perm("clusters.decide_name_change", is_validator_of_renamed)
