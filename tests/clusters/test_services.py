"""Organisation states, people and invitations: the rules live in the services."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.enums import StaffRole
from accounts.models import User
from clusters import people, services
from clusters.enums import EligibilityCriterion, InvitationState, MembershipRole, OrganisationState
from clusters.models import ClusterOrganisation, Invitation, Membership
from clusters.selectors import transitions_of
from clusters.transitions import MOVES
from common.errors import ActionRefused
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
    UserFactory,
)


@pytest.fixture
def actors(db: None) -> dict[str, User]:
    organisation = OrganisationFactory(country="RS", state=OrganisationState.DRAFT)
    return {
        "manager": MembershipFactory(organisation=organisation).user,
        "contributor": MembershipFactory(organisation=organisation, role=MembershipRole.CONTRIBUTOR).user,
        "partner": PartnerStaffFactory(partner__countries=["RS"]).user,
        "other_partner": PartnerStaffFactory(partner__countries=["DE"]).user,
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "outsider": UserFactory(),
    }


ALLOWED = {
    (OrganisationState.DRAFT, OrganisationState.PENDING): {"manager"},
    (OrganisationState.PENDING, OrganisationState.ACTIVE): {"partner", "office"},
    (OrganisationState.PENDING, OrganisationState.DRAFT): {"partner", "office"},
    (OrganisationState.ACTIVE, OrganisationState.INACTIVE): {"office"},
    (OrganisationState.INACTIVE, OrganisationState.ACTIVE): {"office"},
}
ACTORS = ["manager", "contributor", "partner", "other_partner", "office", "committee", "outsider"]


def test_moves_table_is_what_the_tests_expect() -> None:
    assert set(MOVES) == set(ALLOWED)


@pytest.mark.parametrize("move", sorted(ALLOWED, key=str))
@pytest.mark.parametrize("actor", ACTORS)
def test_each_move_is_allowed_only_to_its_roles(
    actors: dict[str, User], move: tuple[OrganisationState, OrganisationState], actor: str
) -> None:
    organisation = ClusterOrganisation.objects.get()
    ClusterOrganisation.objects.update(state=move[0])

    if actor in ALLOWED[move]:
        services.organisation_transition(organisation=organisation, to_state=move[1], by=actors[actor], note="why")
        assert ClusterOrganisation.objects.get().state == move[1]
        assert [change.by for change in transitions_of(organisation)] == [actors[actor]]
    else:
        with pytest.raises(PermissionDenied):
            services.organisation_transition(organisation=organisation, to_state=move[1], by=actors[actor], note="why")
        assert ClusterOrganisation.objects.get().state == move[0]
        assert transitions_of(organisation) == []


@pytest.mark.parametrize(
    ("from_state", "to_state"),
    [(a, b) for a in OrganisationState for b in OrganisationState if a != b and (a, b) not in ALLOWED],
)
def test_moves_outside_the_table_are_refused(
    actors: dict[str, User], from_state: OrganisationState, to_state: OrganisationState
) -> None:
    ClusterOrganisation.objects.update(state=from_state)
    # Someone who may move an organisation into that state from elsewhere: the move itself is refused.
    mover = sorted(set().union(*(roles for (_from, to), roles in ALLOWED.items() if to == to_state)))[0]

    with pytest.raises(ActionRefused):
        services.organisation_transition(
            organisation=ClusterOrganisation.objects.get(), to_state=to_state, by=actors[mover], note="x"
        )

    assert ClusterOrganisation.objects.get().state == from_state


def test_refusal_needs_a_reason_the_applicant_then_sees(
    actors: dict[str, User], django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    ClusterOrganisation.objects.update(state=OrganisationState.PENDING)
    organisation = ClusterOrganisation.objects.get()
    with pytest.raises(ActionRefused):
        services.organisation_transition(
            organisation=organisation, to_state=OrganisationState.DRAFT, by=actors["partner"]
        )

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_transition(
            organisation=organisation, to_state=OrganisationState.DRAFT, by=actors["partner"], note="ECCP link missing"
        )

    assert ClusterOrganisation.objects.get().refusal_reason == "ECCP link missing"
    assert [m.to for m in mail.outbox] == [[actors["manager"].email]]
    assert "ECCP link missing" in mail.outbox[0].body


def test_register_makes_creator_manager_and_notifies_partner(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    PartnerStaffFactory(partner__countries=["DE"])
    newcomer = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        organisation = services.organisation_register(by=newcomer, sectors=[], name="New Cluster", country="RS")

    assert organisation.state == OrganisationState.PENDING
    assert Membership.objects.get(organisation=organisation).user == newcomer
    assert [m.to for m in mail.outbox] == [[partner.email]]


def test_register_in_country_without_partner_notifies_office(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_register(by=UserFactory(), sectors=[], name="Lone Cluster", country="PT")

    assert [m.to for m in mail.outbox] == [[office.email]]


def test_last_manager_can_neither_leave_nor_be_demoted(db: None) -> None:
    membership = MembershipFactory()

    with pytest.raises(ActionRefused, match="last manager"):
        people.membership_end(membership=membership, by=membership.user)
    with pytest.raises(ActionRefused, match="last manager"):
        people.membership_set_role(membership=membership, role=MembershipRole.CONTRIBUTOR, by=membership.user)

    assert Membership.objects.get().left_at is None


def test_manager_can_leave_once_another_manager_exists(db: None) -> None:
    first = MembershipFactory()
    MembershipFactory(organisation=first.organisation)

    people.membership_end(membership=first, by=first.user)

    assert Membership.objects.get(pk=first.pk).left_at is not None


def test_contributor_cannot_remove_people(db: None) -> None:
    manager = MembershipFactory()
    contributor = MembershipFactory(organisation=manager.organisation, role=MembershipRole.CONTRIBUTOR)

    with pytest.raises(PermissionDenied):
        people.membership_end(membership=manager, by=contributor.user)


def invite(manager: Membership, email: str = "Colleague@Example.test") -> tuple[str, Invitation]:
    invitation = people.invitation_send(
        organisation=manager.organisation, email=email, role=MembershipRole.CONTRIBUTOR, by=manager.user
    )
    return people.invitation_token(invitation), invitation


def test_invitation_is_mailed_and_accepted_once(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    manager = MembershipFactory()
    with django_capture_on_commit_callbacks(execute=True):
        invite(manager)
    colleague = UserFactory(email="colleague@example.test")
    # The token the mail carries (signed when the mail went out: a second later than one signed here, maybe).
    link = re.search(r"/clusters/invitation/([^/\s]+)/", str(mail.outbox[0].body))
    assert link is not None
    token = link.group(1)

    membership = people.invitation_accept(token=token, user=colleague)

    assert (membership.organisation, membership.role) == (manager.organisation, MembershipRole.CONTRIBUTOR)
    assert [m.to for m in mail.outbox] == [["colleague@example.test"]]
    with pytest.raises(ActionRefused, match="already been used"):
        people.invitation_accept(token=token, user=colleague)


def test_invitation_expires_after_seven_days(db: None) -> None:
    manager = MembershipFactory()
    token, invitation = invite(manager)
    type(invitation).objects.filter(pk=invitation.pk).update(created_at=timezone.now() - timedelta(days=7, seconds=1))

    with pytest.raises(ActionRefused, match="expired"):
        people.invitation_accept(token=token, user=UserFactory(email="colleague@example.test"))


def test_invitation_for_someone_else_is_refused_by_the_permission(db: None) -> None:
    token, invitation = invite(MembershipFactory())

    with pytest.raises(PermissionDenied):
        people.invitation_accept(token=token, user=UserFactory(email="intruder@example.test"))
    assert Invitation.objects.get(pk=invitation.pk).state == InvitationState.PENDING


def test_tampered_invitation_token_is_refused(db: None) -> None:
    token, _invitation = invite(MembershipFactory())

    with pytest.raises(ActionRefused, match="not valid"):
        people.invitation_from_token(token[:-2] + "xx")


def test_reinviting_renews_the_pending_invitation(db: None) -> None:
    manager = MembershipFactory()
    _token, first = invite(manager)

    _token, second = invite(manager, "colleague@example.test")

    assert first.pk == second.pk
    assert type(first).objects.filter(state=InvitationState.PENDING).count() == 1


def test_inviting_a_current_member_is_refused(db: None) -> None:
    manager = MembershipFactory()

    with pytest.raises(ActionRefused, match="already belongs"):
        invite(manager, manager.user.email)


def test_revoked_invitation_no_longer_works(db: None) -> None:
    manager = MembershipFactory()
    token, invitation = invite(manager)

    people.invitation_revoke(invitation=invitation, by=manager.user)

    with pytest.raises(ActionRefused, match="withdrawn"):
        people.invitation_accept(token=token, user=UserFactory(email="colleague@example.test"))


def test_waiver_records_who_and_why_and_only_once(actors: dict[str, User]) -> None:
    organisation = ClusterOrganisation.objects.get()

    waiver = services.waiver_grant(
        organisation=organisation, criterion=EligibilityCriterion.ECCP, reason="  Programme X  ", by=actors["partner"]
    )

    assert (waiver.waived_by, waiver.reason) == (actors["partner"], "Programme X")
    with pytest.raises(ActionRefused, match="already waived"):
        services.waiver_grant(
            organisation=organisation, criterion=EligibilityCriterion.ECCP, reason="again", by=actors["office"]
        )
    with pytest.raises(PermissionDenied):
        services.waiver_grant(
            organisation=organisation, criterion=EligibilityCriterion.MEMBERS, reason="r", by=actors["other_partner"]
        )
    with pytest.raises(PermissionDenied):
        services.waiver_grant(
            organisation=organisation, criterion=EligibilityCriterion.MEMBERS, reason="r", by=actors["manager"]
        )


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_office_corrects_an_organisations_name(actors: dict[str, User], actor: str) -> None:
    """The correction of a typo in a name: the office's alone, even called from elsewhere than the
    label's correction (which has its own permission)."""
    organisation = ClusterOrganisation.objects.get()
    if actor == "office":
        services.organisation_name_correct(organisation=organisation, name="Corrected Cluster", by=actors[actor])
        assert ClusterOrganisation.objects.get().name == "Corrected Cluster"
        return
    with pytest.raises(PermissionDenied):
        services.organisation_name_correct(organisation=organisation, name="Corrected Cluster", by=actors[actor])
    assert ClusterOrganisation.objects.get().name == organisation.name
