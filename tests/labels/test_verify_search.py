"""The verify box: a code typed by hand, in any case and with spaces, finds its label."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from common.enums import Level
from labels.codes import code_normalise
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.factories import OrganisationFactory


@pytest.fixture
def label(db: None) -> Label:
    cache.clear()
    return label_create(
        organisation=OrganisationFactory(name="Drina Food Cluster", country="RS"),
        level=Level.BRONZE,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("RS-B-2026-7K4Q", "RS-B-2026-7K4Q"),
        ("rs-b-2026-7k4q", "RS-B-2026-7K4Q"),
        ("  RS-B-2026-7K4Q\n", "RS-B-2026-7K4Q"),
        ("rs b 2026 7k4q", "RS-B-2026-7K4Q"),
        ("RS - B - 2026 - 7K4Q", "RS-B-2026-7K4Q"),
        ("RSB20267K4Q", "RS-B-2026-7K4Q"),
        ("RS\u2013B\u20132026\u20137K4Q", "RS-B-2026-7K4Q"),
        ("not a code", "NOT A CODE"),
        ("", ""),
    ],
)
def test_code_normalise_gives_the_stored_form(typed: str, stored: str) -> None:
    assert code_normalise(typed) == stored


def test_verify_search_redirects_to_the_labels_page(client: Client, label: Label) -> None:
    response = client.get(reverse("verify_search"), {"code": label.code})

    assert response.status_code == 302
    assert response["Location"] == reverse("verify", args=[label.code])


def test_verify_search_finds_a_code_typed_in_lower_case_with_spaces(client: Client, label: Label) -> None:
    typed = " " + label.code.lower().replace("-", " ") + " "

    response = client.get(reverse("verify_search"), {"code": typed}, follow=True)

    assert response.status_code == 200
    assert response.context["label"].code == label.code
    assert response.redirect_chain == [(reverse("verify", args=[label.code]), 302)]


def test_verification_address_typed_in_lower_case_finds_the_label(client: Client, label: Label) -> None:
    response = client.get(reverse("verify", args=[label.code.lower().replace("-", "")]))

    assert response.status_code == 200
    assert response.context["label"].code == label.code


def test_verify_search_of_an_unknown_code_says_so_with_the_box(client: Client, label: Label) -> None:
    response = client.get(reverse("verify_search"), {"code": "rs-b-2026-zzzz"}, follow=True)

    assert response.status_code == 404
    body = response.content.decode()
    assert "No label has the code <code>RS-B-2026-ZZZZ</code>" in body
    assert 'name="code"' in body


@pytest.mark.parametrize("typed", ["RS/B/2026", "../../admin", "x" * 500, "RS-B-2026-7K4Q?next=1", "<script>"])
def test_verify_search_of_text_no_address_can_carry_answers_unknown(client: Client, label: Label, typed: str) -> None:
    response = client.get(reverse("verify_search"), {"code": typed})

    assert response.status_code == 404
    assert 'name="code"' in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_verify_search_without_a_code_shows_the_box(client: Client, db: None) -> None:
    response = client.get(reverse("verify_search"), {"code": "   "})

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_verify_search_counts_towards_the_limit(client: Client, db: None, settings: Settings) -> None:
    cache.clear()
    limit = settings.VERIFY_UNKNOWN_CODES_LIMIT
    answers = [client.get(reverse("verify_search"), {"code": f"bad/{n}"}).status_code for n in range(limit + 1)]

    assert answers[:limit] == [404] * limit
    assert answers[limit] == 429


def test_a_renewal_that_starts_later_verifies_as_valid_from_its_first_day(client: Client, db: None) -> None:
    cache.clear()
    today = timezone.localdate()
    organisation = OrganisationFactory(country="RS")
    first = label_create(
        organisation=organisation,
        level=Level.BRONZE,
        assessed_on=today.replace(day=1) - timedelta(days=600),
        source=LabelSource.APPLICATION,
    )
    renewal = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=today, source=LabelSource.APPLICATION
    )
    assert renewal.valid_from == first.valid_until + timedelta(days=1) > today

    renewed = client.get(reverse("verify", args=[renewal.code]))
    started = label_create(
        organisation=OrganisationFactory(country="RS"),
        level=Level.BRONZE,
        assessed_on=today,
        source=LabelSource.APPLICATION,
    )
    current = client.get(reverse("verify", args=[started.code]))

    assert renewed.context["starts_on"] == renewal.valid_from
    assert 'data-testid="starts-on">Valid from ' in renewed.content.decode()
    assert current.context["starts_on"] is None
    assert "Valid label" in current.content.decode()
