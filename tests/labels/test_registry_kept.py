"""A registry page is drawn once per data version, address, day, language and reader's
power to manage labels, and kept (``labels.registry.registry_content_key``): a reader
never sees another version's rows, another language or another reader's links."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import StaffRole
from labels.services import label_revoke
from tests.factories import RoleGrantFactory, UserFactory
from tests.labels.test_registry_cursor import many_labels


def _label_reads(client: Client, url: str, **extra: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url, **extra).content.decode()  # type: ignore[arg-type]
    return body, sum('FROM "labels_label"' in q["sql"] and "MAX(id)" not in q["sql"] for q in queries.captured_queries)


def test_a_page_asked_again_is_not_drawn_again(client: Client, db: None) -> None:
    many_labels(12)
    url = reverse("registry") + "?country=DE"

    first, first_reads = _label_reads(client, url)
    again, again_reads = _label_reads(client, url)

    assert first_reads > 0
    assert again_reads == 0
    # The same rows and links (the header's CSRF token is new on every page).
    assert again[again.index("<h1") :] == first[first.index("<h1") :]


def test_a_change_is_shown_at_once(client: Client, db: None) -> None:
    labels = many_labels(3)
    office = UserFactory()
    RoleGrantFactory(user=office, role=StaffRole.LABEL_OFFICE)
    url = reverse("registry")
    assert labels[0].code in client.get(url).content.decode()

    label_revoke(label=labels[0], by=office, reason="Left the scheme")

    assert labels[0].code not in client.get(url).content.decode()


def test_each_language_and_each_reader_gets_their_own_page(client: Client, db: None) -> None:
    many_labels(3)
    url = reverse("registry")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    serbian = client.get(url, HTTP_ACCEPT_LANGUAGE="sr-latn").content.decode()
    office = UserFactory()
    RoleGrantFactory(user=office, role=StaffRole.LABEL_OFFICE)
    client.force_login(office)
    managing = client.get(url).content.decode()
    client.logout()
    visitor = client.get(url).content.decode()

    assert "Valid until" in english and "Valid until" not in serbian
    assert ">manage</a>" in managing
    assert ">manage</a>" not in visitor
