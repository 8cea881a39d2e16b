"""The verification page reads one row and answers its conditional GET from that row.

Its ETag is what the page shows (``labels.verification.VerifiedLabel.version``), with
the day, the language and the reader: it changes when the label or its organisation's
name does, and no longer when anything else in the portal is written.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from clusters.services import organisation_name_correct
from labels.services import label_revoke
from tests.factories import LabelFactory


def test_verification_is_one_query_and_no_transaction(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    label = LabelFactory()
    url = reverse("verify", args=[label.code])
    client.get(url)

    with django_assert_num_queries(1) as captured:
        response = client.get(url)

    assert response.status_code == 200 and label.code in response.content.decode()
    assert "code" in captured.captured_queries[0]["sql"]


def test_a_rename_of_the_organisation_changes_the_etag(client: Client, db: None, people: dict[str, User]) -> None:
    label = LabelFactory()
    url = reverse("verify", args=[label.code])
    before = client.get(url)["ETag"]

    organisation_name_correct(organisation=label.organisation, name="Renamed Cluster", by=people["office"])
    after = client.get(url, HTTP_IF_NONE_MATCH=before)

    assert after.status_code == 200 and "Renamed Cluster" in after.content.decode()
    assert after["ETag"] != before


def test_another_labels_revocation_leaves_the_etag_as_it_was(client: Client, db: None, people: dict[str, User]) -> None:
    label, other = LabelFactory(), LabelFactory()
    url = reverse("verify", args=[label.code])
    before = client.get(url)["ETag"]

    label_revoke(label=other, by=people["office"], reason="A test.")
    again = client.get(url, HTTP_IF_NONE_MATCH=before)

    assert again.status_code == 304


def test_the_page_of_a_superseded_label_links_its_successor(client: Client, db: None) -> None:
    newer = LabelFactory()
    older = LabelFactory(organisation=newer.organisation, superseded_by=newer)

    page = client.get(reverse("verify", args=[older.code])).content.decode()

    assert f'href="{reverse("verify", args=[newer.code])}"' in page


def test_a_signed_in_readers_etag_follows_the_history(client: Client, db: None, people: dict[str, User]) -> None:
    """Their header shows their roles, which change with the history: any new history row
    draws their page again, as it did before the row became the version."""
    label, other = LabelFactory(), LabelFactory()
    url = reverse("verify", args=[label.code])
    client.force_login(people["office"])
    before = client.get(url)["ETag"]

    label_revoke(label=other, by=people["office"], reason="A test.")
    again = client.get(url, HTTP_IF_NONE_MATCH=before)

    assert again.status_code == 200 and again["ETag"] != before


def test_verification_answers_get_and_head_only(client: Client, db: None) -> None:
    label = LabelFactory()
    url = reverse("verify", args=[label.code])

    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
