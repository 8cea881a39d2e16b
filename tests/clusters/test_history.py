"""What the clusters services leave in the one history, and who hears of changed eligibility figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.enums import StaffRole
from clusters import people, services
from clusters.enums import EligibilityCriterion, MembershipRole, OrganisationState
from common.selectors import history_of
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory, RoleGrantFactory, UserFactory


def test_a_profile_edit_records_before_and_after(db: None) -> None:
    organisation = OrganisationFactory(country="RS", city="Novi Sad", state=OrganisationState.DRAFT)
    manager = MembershipFactory(organisation=organisation).user

    services.organisation_update(organisation=organisation, by=manager, sectors=[], city="Niš", acronym="NIC")

    entry = history_of(organisation).get(action="organisation.profile")
    assert entry.actor == manager
    assert entry.data == {"city": ["Novi Sad", "Niš"], "acronym": ["", "NIC"]}


def test_an_unchanged_profile_saved_again_records_nothing(db: None) -> None:
    organisation = OrganisationFactory(country="RS", city="Novi Sad", state=OrganisationState.DRAFT)
    manager = MembershipFactory(organisation=organisation).user

    services.organisation_update(organisation=organisation, by=manager, sectors=[], city="Novi Sad")

    assert not history_of(organisation).filter(action="organisation.profile").exists()


def test_changed_eligibility_figures_of_a_validated_profile_reach_the_partner(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    organisation = OrganisationFactory(country="RS", state=OrganisationState.ACTIVE, management_fte=Decimal("1"))
    manager = MembershipFactory(organisation=organisation).user
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    PartnerStaffFactory(partner__countries=["DE"])

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_update(
            organisation=organisation, by=manager, sectors=[], management_fte=Decimal("0.3"), city="Subotica"
        )

    assert [message.to for message in mail.outbox] == [[partner.email]]
    assert "management_fte: 1.00 → 0.3" in mail.outbox[0].body
    assert "city" not in mail.outbox[0].body


def test_a_draft_changing_its_figures_tells_nobody(
    db: None, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    organisation = OrganisationFactory(country="RS", state=OrganisationState.DRAFT)
    manager = MembershipFactory(organisation=organisation).user
    PartnerStaffFactory(partner__countries=["RS"])

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_update(organisation=organisation, by=manager, sectors=[], members_sme=40)

    assert mail.outbox == []


def test_waivers_and_members_leave_their_trace(db: None) -> None:
    organisation = OrganisationFactory(country="RS", state=OrganisationState.PENDING)
    manager = MembershipFactory(organisation=organisation).user
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    colleague = UserFactory()

    waiver = services.waiver_grant(
        organisation=organisation, criterion=EligibilityCriterion.MEMBERS, reason="National programme", by=office
    )
    services.waiver_withdraw(waiver=waiver, by=office, reason="Programme ended")
    membership = people.membership_add(organisation=organisation, user=colleague, role=MembershipRole.CONTRIBUTOR)
    people.membership_set_role(membership=membership, role=MembershipRole.MANAGER, by=manager)
    people.membership_end(membership=membership, by=colleague)

    assert [(entry.action, entry.actor) for entry in history_of(organisation).order_by("at", "id")] == [
        ("organisation.waiver_granted", office),
        ("organisation.waiver_withdrawn", office),
        ("organisation.member_added", None),
        ("organisation.member_role", manager),
        ("organisation.member_left", colleague),
    ]
    withdrawn = history_of(organisation).get(action="organisation.waiver_withdrawn")
    assert (withdrawn.data["criterion"], withdrawn.reason) == (EligibilityCriterion.MEMBERS, "Programme ended")
    waiver.refresh_from_db()
    assert (waiver.withdrawn_by, waiver.withdraw_reason, waiver.reason) == (
        office,
        "Programme ended",
        "National programme",
    )


def test_a_withdrawn_waiver_no_longer_counts_and_can_be_given_again(db: None) -> None:
    from clusters.eligibility import eligibility_of

    organisation = OrganisationFactory(country="RS", state=OrganisationState.ACTIVE, members_sme=1)
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    first = services.waiver_grant(
        organisation=organisation, criterion=EligibilityCriterion.MEMBERS, reason="Programme A", by=office
    )
    waived = {result.criterion: result.status for result in eligibility_of(organisation).results}

    services.waiver_withdraw(waiver=first, by=office, reason="Programme A ended")
    withdrawn = {result.criterion: result.status for result in eligibility_of(organisation).results}
    again = services.waiver_grant(
        organisation=organisation, criterion=EligibilityCriterion.MEMBERS, reason="Programme B", by=office
    )

    assert (waived[EligibilityCriterion.MEMBERS], withdrawn[EligibilityCriterion.MEMBERS]) == ("waived", "not_met")
    assert list(organisation.waivers.order_by("waived_at", "pk")) == [first, again]


def test_a_labelled_organisation_is_not_renamed_in_its_profile(db: None) -> None:
    from common.enums import Level
    from common.errors import ActionRefused
    from labels.enums import LabelSource
    from labels.services import label_create

    organisation = OrganisationFactory(name="Sava Cluster", country="RS", state=OrganisationState.ACTIVE)
    manager = MembershipFactory(organisation=organisation).user
    label = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=timezone.localdate(), source=LabelSource.APPLICATION
    )

    with pytest.raises(ActionRefused, match="ask for a new name on its page"):
        services.organisation_update(organisation=organisation, by=manager, sectors=[], name="Drina Cluster")
    services.organisation_update(organisation=organisation, by=manager, sectors=[], name="Sava Cluster", city="Šabac")

    organisation.refresh_from_db()
    label.refresh_from_db()
    assert (organisation.name, organisation.city, label.awarded_name) == ("Sava Cluster", "Šabac", "Sava Cluster")
