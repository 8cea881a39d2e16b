"""One page per label: the label's page carries the office's actions; the old address redirects to it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from common.enums import Level
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import MembershipFactory, OrganisationFactory

ACTION_FORMS = ('data-testid="revoke-form"', 'data-testid="correct-form"', 'data-testid="certificate-language"')


@pytest.fixture
def label(db: None) -> Label:
    return label_create(
        organisation=OrganisationFactory(country="RS"),
        level=Level.BRONZE,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
    )


def test_office_acts_on_the_label_page(client: Client, label: Label, people: dict[str, User]) -> None:
    client.force_login(people["office"])

    page = client.get(reverse("labels:label_detail", args=[label.code])).content.decode()

    assert [form in page for form in ACTION_FORMS] == [True, True, True]


def test_manager_reads_the_label_page_without_the_office_forms(client: Client, label: Label) -> None:
    client.force_login(MembershipFactory(organisation=label.organisation).user)

    response = client.get(reverse("labels:label_detail", args=[label.code]))

    assert response.status_code == 200
    assert [form in response.content.decode() for form in ACTION_FORMS] == [False, False, False]


def test_an_action_returns_to_the_label_page(client: Client, label: Label, people: dict[str, User]) -> None:
    client.force_login(people["office"])

    response = client.post(reverse("labels:label_revoke", args=[label.code]), {"reason": "Misrepresented members."})

    assert response.status_code == 302
    assert response["Location"] == reverse("labels:label_detail", args=[label.code])


def test_a_refused_action_shows_the_label_page_with_its_errors(
    client: Client, label: Label, people: dict[str, User]
) -> None:
    client.force_login(people["office"])

    response = client.post(reverse("labels:label_revoke", args=[label.code]), {"reason": ""})

    assert response.status_code == 400
    assert response.templates[0].name == "labels/label_detail.html"
    assert 'data-testid="reminders"' in response.content.decode()
    assert response.context["revoke_form"].errors


def test_the_old_address_redirects_for_good(client: Client, label: Label) -> None:
    response = client.get(f"/labels/l/{label.code}/")

    assert response.status_code == 301
    assert response["Location"] == reverse("labels:label_detail", args=[label.code])


def test_who_changed_a_label_and_what_is_the_offices_to_read(
    client: Client, label: Label, people: dict[str, User]
) -> None:
    """The label's events name the office's person and the values changed for the office only; its
    people read what happened and why. The registry's "manage" link is the office's too."""
    from labels.services import label_correct

    office = people["office"]
    label_correct(
        label=label, by=office, reason="A typo in the end date.", valid_until=label.valid_until.replace(day=1)
    )
    manager = MembershipFactory(organisation=label.organisation).user
    detail = reverse("labels:label_detail", args=[label.code])
    registry = reverse("registry") + f"?q={label.organisation.name}"

    client.force_login(manager)
    managers_page, managers_registry = client.get(detail).content.decode(), client.get(registry).content.decode()
    client.force_login(office)
    offices_page, offices_registry = client.get(detail).content.decode(), client.get(registry).content.decode()

    assert "A typo in the end date." in managers_page and "A typo in the end date." in offices_page
    assert office.get_full_name() not in managers_page and office.get_full_name() in offices_page
    assert ">manage</a>" not in managers_registry and ">manage</a>" in offices_registry
