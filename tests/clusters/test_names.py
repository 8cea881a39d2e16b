"""A labelled organisation's new name: asked by its managers, decided by its validator through the door."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.enums import StaffRole
from accounts.models import User
from clusters import names, services
from clusters.enums import MembershipRole, NameChangeState, OrganisationState
from clusters.models import ClusterOrganisation, NameChangeRequest
from clusters.transitions import NAME_CHANGE_MOVES
from common.enums import Level
from common.errors import ActionRefused
from common.models import ActivityLog
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import MembershipFactory, OrganisationFactory, PartnerStaffFactory, RoleGrantFactory, UserFactory

ACTORS = ["manager", "contributor", "partner", "other_partner", "office", "committee", "outsider"]


@pytest.fixture
def org(db: None) -> ClusterOrganisation:
    organisation = OrganisationFactory(name="Sava Food Cluster", country="RS", state=OrganisationState.ACTIVE)
    label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=timezone.localdate(), source=LabelSource.IMPORT
    )
    return organisation


@pytest.fixture
def actors(org: ClusterOrganisation) -> dict[str, User]:
    return {
        "manager": MembershipFactory(organisation=org).user,
        "contributor": MembershipFactory(organisation=org, role=MembershipRole.CONTRIBUTOR).user,
        "partner": PartnerStaffFactory(partner__countries=["RS"]).user,
        "other_partner": PartnerStaffFactory(partner__countries=["DE"]).user,
        "office": RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user,
        "committee": RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user,
        "outsider": UserFactory(),
    }


def ask(org: ClusterOrganisation, by: User, new_name: str = "Sava Food Association") -> NameChangeRequest:
    return names.name_change_request(organisation=org, new_name=new_name, reason="A merger", by=by)


def history(obj: models.Model, action: str) -> list[ActivityLog]:
    return list(
        ActivityLog.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, action=action
        ).order_by("id")
    )


# --- Who may do what ------------------------------------------------------------------------------


def test_the_moves_table_is_what_the_tests_expect() -> None:
    assert set(NAME_CHANGE_MOVES) == {
        (NameChangeState.PENDING, NameChangeState.APPROVED),
        (NameChangeState.PENDING, NameChangeState.REFUSED),
        (NameChangeState.PENDING, NameChangeState.WITHDRAWN),
    }


@pytest.mark.parametrize("actor", ACTORS)
def test_only_a_manager_asks_for_a_new_name(org: ClusterOrganisation, actors: dict[str, User], actor: str) -> None:
    if actor == "manager":
        assert ask(org, actors[actor]).state == NameChangeState.PENDING
    else:
        with pytest.raises(PermissionDenied):
            ask(org, actors[actor])
        assert NameChangeRequest.objects.count() == 0


@pytest.mark.parametrize("actor", ACTORS)
def test_the_partner_for_the_country_or_the_office_approves(
    org: ClusterOrganisation, actors: dict[str, User], actor: str
) -> None:
    request = ask(org, actors["manager"])

    if actor in {"partner", "office"}:
        names.name_change_approve(request=request, by=actors[actor])
        org.refresh_from_db()
        assert org.name == "Sava Food Association"
    else:
        with pytest.raises(PermissionDenied):
            names.name_change_approve(request=request, by=actors[actor])
        org.refresh_from_db()
        request.refresh_from_db()
        assert (org.name, request.state) == ("Sava Food Cluster", NameChangeState.PENDING)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_partner_for_the_country_or_the_office_refuses(
    org: ClusterOrganisation, actors: dict[str, User], actor: str
) -> None:
    request = ask(org, actors["manager"])

    if actor in {"partner", "office"}:
        assert names.name_change_refuse(request=request, by=actors[actor], note="Not registered").state == "refused"
    else:
        with pytest.raises(PermissionDenied):
            names.name_change_refuse(request=request, by=actors[actor], note="Not registered")


@pytest.mark.parametrize("actor", ACTORS)
def test_only_a_manager_withdraws(org: ClusterOrganisation, actors: dict[str, User], actor: str) -> None:
    request = ask(org, actors["manager"])

    if actor == "manager":
        assert names.name_change_withdraw(request=request, by=actors[actor]).state == NameChangeState.WITHDRAWN
    else:
        with pytest.raises(PermissionDenied):
            names.name_change_withdraw(request=request, by=actors[actor])


# --- The rules of asking --------------------------------------------------------------------------


def test_an_organisation_no_label_names_renames_itself_instead(actors: dict[str, User]) -> None:
    unlabelled = OrganisationFactory(country="RS")
    manager = MembershipFactory(organisation=unlabelled).user

    with pytest.raises(ActionRefused, match="change its name in its profile"):
        ask(unlabelled, manager)


@pytest.mark.parametrize("same", ["Sava Food Cluster", "  Sava Food Cluster  ", ""])
def test_asking_for_the_present_name_is_refused(org: ClusterOrganisation, actors: dict[str, User], same: str) -> None:
    with pytest.raises(ActionRefused, match="Enter a name other than the present one"):
        ask(org, actors["manager"], new_name=same)


def test_a_new_name_needs_a_reason(org: ClusterOrganisation, actors: dict[str, User]) -> None:
    with pytest.raises(ActionRefused, match="say why"):
        names.name_change_request(organisation=org, new_name="Sava Food Association", reason="  ", by=actors["manager"])


@pytest.mark.parametrize("taken", ["Drina Cluster", "drina cluster", "  DRINA CLUSTER "])
def test_a_name_another_organisation_of_the_country_has_is_refused(
    org: ClusterOrganisation, actors: dict[str, User], taken: str
) -> None:
    OrganisationFactory(name="Drina Cluster", country="RS")

    with pytest.raises(ActionRefused, match="Another organisation of Serbia is already called"):
        ask(org, actors["manager"], new_name=taken)
    assert NameChangeRequest.objects.count() == 0


def test_a_name_an_organisation_of_another_country_has_is_free(
    org: ClusterOrganisation, actors: dict[str, User]
) -> None:
    OrganisationFactory(name="Drina Cluster", country="BA")

    assert ask(org, actors["manager"], new_name="Drina Cluster").new_name == "Drina Cluster"


def test_a_second_pending_request_is_refused_until_the_first_is_withdrawn(
    org: ClusterOrganisation, actors: dict[str, User]
) -> None:
    first = ask(org, actors["manager"])

    with pytest.raises(ActionRefused, match="already waiting for validation"):
        ask(org, actors["manager"], new_name="Sava Food Union")
    names.name_change_withdraw(request=first, by=actors["manager"])
    assert ask(org, actors["manager"], new_name="Sava Food Union").state == NameChangeState.PENDING


def test_the_database_holds_one_pending_request_per_organisation(
    org: ClusterOrganisation, actors: dict[str, User]
) -> None:
    ask(org, actors["manager"])

    with pytest.raises(IntegrityError), transaction.atomic():
        NameChangeRequest.objects.create(
            organisation=org, current_name=org.name, new_name="Other", reason="x", requested_by=actors["manager"]
        )


def test_asking_changes_nothing_but_is_recorded_and_told_to_the_validators(
    org: ClusterOrganisation,
    actors: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(org, actors["manager"])

    org.refresh_from_db()
    label = Label.objects.get(organisation=org)
    assert (org.name, label.awarded_name, request.current_name) == ("Sava Food Cluster",) * 3
    [row] = history(org, "organisation.name_change_requested")
    assert (row.actor, row.data, row.reason) == (
        actors["manager"],
        {"name": ["Sava Food Cluster", "Sava Food Association"], "request": request.pk},
        "A merger",
    )
    assert [message.to for message in mail.outbox] == [[actors["partner"].email]]
    assert "Sava Food Cluster" in mail.outbox[0].body and "Sava Food Association" in mail.outbox[0].body


# --- Deciding -------------------------------------------------------------------------------------


def test_approval_renames_through_the_door_and_labels_keep_their_awarded_name(
    org: ClusterOrganisation,
    actors: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    request = ask(org, actors["manager"])

    with django_capture_on_commit_callbacks(execute=True):
        names.name_change_approve(request=request, by=actors["partner"])

    org.refresh_from_db()
    request.refresh_from_db()
    label = Label.objects.get(organisation=org)
    assert (org.name, label.awarded_name) == ("Sava Food Association", "Sava Food Cluster")
    assert (request.state, request.decided_by, request.decided_at is not None) == ("approved", actors["partner"], True)
    [door] = history(request, "name_change.state")
    assert (door.actor, door.data) == (actors["partner"], {"state": ["pending", "approved"]})
    [renamed] = history(org, "organisation.renamed")
    assert (renamed.actor, renamed.data) == (
        actors["partner"],
        {"name": ["Sava Food Cluster", "Sava Food Association"], "request": request.pk},
    )
    assert [message.to for message in mail.outbox] == [[actors["manager"].email]]
    assert "approved" in mail.outbox[0].subject


def test_approval_checks_the_name_again(org: ClusterOrganisation, actors: dict[str, User]) -> None:
    request = ask(org, actors["manager"])
    # Meanwhile another organisation of the country registers under that name.
    OrganisationFactory(name="SAVA FOOD ASSOCIATION", country="RS")

    with pytest.raises(ActionRefused, match="already called"):
        names.name_change_approve(request=request, by=actors["partner"])
    org.refresh_from_db()
    request.refresh_from_db()
    assert (org.name, request.state) == ("Sava Food Cluster", NameChangeState.PENDING)
    assert history(org, "organisation.renamed") == []


def test_a_decided_request_is_decided_once(org: ClusterOrganisation, actors: dict[str, User]) -> None:
    request = ask(org, actors["manager"])
    names.name_change_approve(request=request, by=actors["partner"])

    with pytest.raises(ActionRefused, match="cannot become"):
        names.name_change_approve(request=request, by=actors["office"])
    with pytest.raises(ActionRefused, match="cannot become"):
        names.name_change_withdraw(request=request, by=actors["manager"])
    assert len(history(org, "organisation.renamed")) == 1


def test_a_refusal_says_why_and_changes_no_name(
    org: ClusterOrganisation,
    actors: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    request = ask(org, actors["manager"])

    with pytest.raises(ActionRefused, match="say why"):
        names.name_change_refuse(request=request, by=actors["partner"], note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        names.name_change_refuse(request=request, by=actors["partner"], note="Not in the business register")

    org.refresh_from_db()
    request.refresh_from_db()
    assert (org.name, request.state, request.decision_note) == (
        "Sava Food Cluster",
        NameChangeState.REFUSED,
        "Not in the business register",
    )
    [door] = history(request, "name_change.state")
    assert (door.data, door.reason) == ({"state": ["pending", "refused"]}, "Not in the business register")
    assert [message.to for message in mail.outbox] == [[actors["manager"].email]]
    assert "Not in the business register" in mail.outbox[0].body


# --- The profile of an organisation no label names ----------------------------------------------


def test_an_unlabelled_organisation_renames_itself_but_not_to_a_taken_name(db: None) -> None:
    organisation = OrganisationFactory(name="Morava Cluster", country="RS")
    manager = MembershipFactory(organisation=organisation).user
    OrganisationFactory(name="Tisa Cluster", country="RS")
    OrganisationFactory(name="Una Cluster", country="BA")

    with pytest.raises(ActionRefused, match="Another organisation of this country already has this name"):
        services.organisation_update(organisation=organisation, by=manager, sectors=[], name=" tisa cluster ")
    services.organisation_update(organisation=organisation, by=manager, sectors=[], name="Una Cluster")

    organisation.refresh_from_db()
    assert organisation.name == "Una Cluster"


# --- Pages ----------------------------------------------------------------------------------------


def test_the_request_is_shown_to_managers_and_validators_only(
    client: Client, org: ClusterOrganisation, actors: dict[str, User]
) -> None:
    ask(org, actors["manager"])
    url = reverse("clusters:organisation_detail", args=[org.slug])
    shown = {}
    for actor in ["manager", "contributor", "partner", "office"]:
        client.force_login(actors[actor])
        page = client.get(url).content.decode()
        shown[actor] = (
            'data-testid="name-change"' in page,
            "Withdraw" in page,
            "Approve the new name" in page,
        )

    assert shown == {
        "manager": (True, True, False),
        "contributor": (False, False, False),
        "partner": (True, False, True),
        "office": (True, False, True),
    }


def test_the_validation_list_shows_new_names_of_the_partners_countries(
    client: Client, org: ClusterOrganisation, actors: dict[str, User]
) -> None:
    ask(org, actors["manager"])
    url = reverse("clusters:validation_queue")

    client.force_login(actors["partner"])
    assert "Sava Food Association" in client.get(url).content.decode()
    client.force_login(actors["other_partner"])
    assert "Sava Food Association" not in client.get(url).content.decode()


def test_a_refusal_is_in_the_organisations_history(
    client: Client, org: ClusterOrganisation, actors: dict[str, User]
) -> None:
    request = ask(org, actors["manager"])
    names.name_change_refuse(request=request, by=actors["partner"], note="Not in the business register")

    client.force_login(actors["manager"])
    page = client.get(reverse("history", args=["organisation", org.pk])).content.decode()

    assert "New name decided" in page and "Not in the business register" in page
