"""Every role lands on its own start page, and every start page refuses the others."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User

START_PAGES = {
    "office": "labels:office_start",
    "committee": "labels:committee_start",
    "policy": "statistics:overview",
    "assessor": "accounts:assessor_start",
    "manager": "clusters:manager_start",
    "partner": "clusters:partner_start",
}
# The office answers policy makers' questions, so it reads the statistics too; a
# national partner reads them for its own countries.
ALSO_ALLOWED = {("policy", "office"), ("policy", "partner")}


@pytest.mark.parametrize("role", sorted(START_PAGES))
def test_start_redirects_each_role_to_its_page(client: Client, people: dict[str, User], role: str) -> None:
    client.force_login(people[role])

    response = client.get(reverse("accounts:start"))

    assert response.status_code == 302
    assert response["Location"] == reverse(START_PAGES[role])


@pytest.mark.parametrize("role", sorted(START_PAGES))
def test_start_page_shows_to_its_role(client: Client, people: dict[str, User], role: str) -> None:
    client.force_login(people[role])

    response = client.get(reverse(START_PAGES[role]))

    assert response.status_code == 200


def test_statistics_open_to_the_office(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["office"])

    response = client.get(reverse("statistics:overview"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("page_role", "visitor"),
    [
        (page, visitor)
        for page in sorted(START_PAGES)
        for visitor in [*sorted(START_PAGES), "outsider"]
        if visitor != page and (page, visitor) not in ALSO_ALLOWED
    ],
)
def test_start_page_refuses_other_roles(client: Client, people: dict[str, User], page_role: str, visitor: str) -> None:
    client.force_login(people[visitor])

    response = client.get(reverse(START_PAGES[page_role]))

    assert response.status_code == 403
    assert "This page is not for your role" in response.content.decode()


@pytest.mark.parametrize("role", sorted(START_PAGES))
def test_start_page_sends_anonymous_to_login(client: Client, db: None, role: str) -> None:
    url = reverse(START_PAGES[role])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_start_without_role_explains_what_to_do(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["outsider"])

    response = client.get(reverse("accounts:start"))

    assert response.status_code == 200
    assert response.context["pages"] == []
    assert "Your account has no role yet" in response.content.decode()


def test_start_with_two_roles_offers_both(client: Client, people: dict[str, User]) -> None:
    from accounts.enums import StaffRole
    from accounts.services import role_grant

    person = people["assessor"]
    role_grant(user=person, role=StaffRole.LABEL_COMMITTEE, by=None)
    client.force_login(person)

    response = client.get(reverse("accounts:start"))

    assert response.status_code == 200
    assert [page.role for page in response.context["pages"]] == ["assessor", "committee"]


def test_navigation_lists_only_own_roles(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["partner"])

    response = client.get(reverse("clusters:partner_start"))

    assert [page.role for page in response.context["role_pages"]] == ["partner"]
