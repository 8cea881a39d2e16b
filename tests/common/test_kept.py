"""Start pages drawn once and kept until the data changes (``common.kept``, ``{% kept %}``):
asked again they cost the person's session and roles and the history's version only; a
change made through a service shows at once; no reader gets another reader's page or language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import StaffRole
from accounts.models import User
from labels.services import label_revoke
from tests.factories import LabelFactory, MembershipFactory, RoleGrantFactory, UserFactory

pytestmark = pytest.mark.django_db

TRANSACTION = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _office(**fields: object) -> User:
    person = UserFactory(**fields)
    RoleGrantFactory(user=person, role=StaffRole.LABEL_OFFICE)
    return person


def _content(body: bytes) -> str:
    """The page from its heading on (the header's CSRF token is new on every page)."""
    text = body.decode()
    return text[text.index("<h1") :]


def _queries(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return _content(response.content), sum(not q["sql"].startswith(TRANSACTION) for q in queries.captured_queries)


@pytest.mark.parametrize("url", ["labels:office_start", "labels:committee_start"])
def test_a_start_page_asked_again_reads_only_who_asks_and_the_version(client: Client, url: str) -> None:
    person = _office()
    RoleGrantFactory(user=person, role=StaffRole.LABEL_COMMITTEE)
    client.force_login(person)

    first, drawn = _queries(client, reverse(url))
    again, kept = _queries(client, reverse(url))

    assert again == first
    # The session, the person, their roles and unread count (one query), the history's version.
    assert kept == 4 < drawn


def test_a_change_made_through_a_service_shows_at_once(client: Client) -> None:
    membership = MembershipFactory()
    label = LabelFactory(organisation=membership.organisation, valid_until=timezone.localdate() + timedelta(days=300))
    client.force_login(membership.user)
    assert label.code in client.get(reverse("clusters:manager_start")).content.decode()

    label_revoke(label=label, by=_office(), reason="Left the scheme")

    assert label.code not in client.get(reverse("clusters:manager_start")).content.decode()


def test_each_reader_and_each_language_gets_their_own_page(client: Client) -> None:
    url = reverse("labels:office_start")
    client.force_login(_office(is_staff=True, preferred_language=""))  # the browser's language decides
    administering = client.get(url).content.decode()
    serbian = client.get(url, HTTP_ACCEPT_LANGUAGE="sr-latn").content.decode()
    client.force_login(_office())
    other = client.get(url).content.decode()

    assert "Grant or revoke roles" in administering
    assert "Grant or revoke roles" not in other
    assert 'lang="sr-latn"' in serbian and "Kancelarija" in _content(serbian.encode())


def test_the_partners_page_keeps_its_pipeline_and_draws_its_stored_figures_live(client: Client) -> None:
    from labels.figures import figures_refresh
    from tests.factories import PartnerStaffFactory

    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    figures_refresh()
    client.force_login(partner)
    url = reverse("clusters:partner_start")
    first, drawn = _queries(client, url)
    again, kept = _queries(client, url)
    assert again == first
    # The session, the person, their roles (one query), the history's version and the stored figures.
    assert kept == 5 < drawn

    LabelFactory(
        organisation=MembershipFactory(organisation__country="RS").organisation,
        valid_until=timezone.localdate() + timedelta(days=20),
    )
    figures_refresh()  # the worker stores new figures: no history row, yet the panel shows them

    assert _content(client.get(url).content) != first
