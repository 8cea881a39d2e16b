"""The registry pages by a cursor (never sorting every label), and public pages answer conditional GETs."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from clusters.models import ClusterOrganisation
from clusters.services import organisation_name_correct
from common.enums import Level
from labels.models import Label, registry_sort_name
from labels.registry import PAGE_SIZE, Cursor, registry_keys_refill
from labels.services import label_revoke
from tests.factories import LabelFactory, OrganisationFactory

LEVELS = [Level.BRONZE, Level.SILVER, Level.GOLD]


def many_labels(organisations: int, per_organisation: int = 1, country: str = "DE") -> list[Label]:
    """Current labels written in bulk: ``organisations`` organisations, a label of each level up to
    ``per_organisation``; every third organisation shares its name with the one before (ties)."""
    today = timezone.localdate()
    built = []
    for n in range(organisations):
        name = f"Cluster {n - n % 3 // 2:04d}"  # 0, 0 / 3, 3 ... pairs of equal names
        built.append(OrganisationFactory.build(name=name, slug=f"cluster-{country}-{n}", country=country))
    saved = ClusterOrganisation.objects.bulk_create(built)
    labels = [
        Label(
            organisation=organisation,
            level=LEVELS[level],
            source="import",
            assessed_on=today,
            valid_from=today,
            valid_until=today + timedelta(days=400 + n % 7),
            code=f"T-{country}-{n:05d}-{level}",
            sort_name=registry_sort_name(organisation.name),
            organisation_country=country,
        )
        for n, organisation in enumerate(saved)
        for level in range(per_organisation)
    ]
    return Label.objects.bulk_create(labels)


def walk(client: Client, params: dict[str, str]) -> tuple[list[list[str]], list[str]]:
    """Follow "Next" from the first page to the last: the codes per page, and the links followed."""
    pages: list[list[str]] = []
    links: list[str] = []
    response = client.get(reverse("registry"), params)
    while True:
        assert response.status_code == 200
        pages.append([label.code for label in response.context["page"]])
        following = response.context["links"].get("next")
        if following is None:
            return pages, links
        links.append(following)
        response = client.get(reverse("registry") + following)


def test_walking_forwards_visits_every_current_label_once_in_order(client: Client, db: None) -> None:
    many_labels(60, per_organisation=2)  # 120 current labels, equal names in pairs of organisations
    LabelFactory(revoked_at=timezone.now())  # not current: never shown
    LabelFactory(
        valid_from=timezone.localdate() - timedelta(days=900), valid_until=timezone.localdate() - timedelta(days=400)
    )

    pages, _links = walk(client, {})

    expected = list(
        Label.objects.filter(revoked_at__isnull=True, valid_until__gte=timezone.localdate())
        .order_by("sort_name", "id")
        .values_list("code", flat=True)
    )
    assert [len(page) for page in pages] == [PAGE_SIZE, PAGE_SIZE, 20]
    assert [code for page in pages for code in page] == expected
    assert len(set(expected)) == 120


def test_walking_back_gives_the_same_pages_and_the_first_page_has_no_previous(client: Client, db: None) -> None:
    many_labels(130)
    forwards, _links = walk(client, {})
    cache.clear()  # each page drawn again, so that its context can be read (test_registry_kept)

    response = client.get(reverse("registry"), {})
    for _page in forwards[1:]:
        response = client.get(reverse("registry") + response.context["links"]["next"])
    backwards = [[label.code for label in response.context["page"]]]
    while "previous" in response.context["links"]:
        response = client.get(reverse("registry") + response.context["links"]["previous"])
        backwards.append([label.code for label in response.context["page"]])

    assert backwards == forwards[::-1]
    cache.clear()
    assert "next" not in client.get(reverse("registry") + walk(client, {})[1][-1]).context["links"]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("country", ("organisation_country", "sort_name", "id")),
        ("level", ("level", "sort_name", "id")),
        ("valid_until", ("-valid_until", "sort_name", "id")),
    ],
)
def test_every_sort_pages_through_all_labels(client: Client, db: None, sort: str, order: tuple[str, ...]) -> None:
    many_labels(40, per_organisation=3, country="RS")
    many_labels(15, per_organisation=1, country="AT")

    pages, _links = walk(client, {"sort": sort})

    expected = list(Label.objects.order_by(*order).values_list("code", flat=True))
    assert [code for page in pages for code in page] == expected


def test_filters_stay_with_the_cursor(client: Client, db: None) -> None:
    many_labels(70, country="RS")
    many_labels(70, country="AT", per_organisation=2)

    pages, links = walk(client, {"country": "AT", "level": "silver"})

    shown = [code for page in pages for code in page]
    assert len(shown) == 70 and all(code.startswith("T-AT-") and code.endswith("-1") for code in shown)
    assert all(parse_qs(urlsplit(link).query)["country"] == ["AT"] for link in links)


@pytest.mark.parametrize("cursor", ["garbage", "", "a" * 500, "eyJzIjoibmFtZSJ9:abc:def"])
def test_a_bad_cursor_gives_the_first_page_with_a_message(client: Client, db: None, cursor: str) -> None:
    many_labels(60)
    first = [label.code for label in client.get(reverse("registry")).context["page"]]

    response = client.get(reverse("registry"), {"cursor": cursor})

    assert response.status_code == 200
    assert [label.code for label in response.context["page"]] == first
    assert response.context["cursor_refused"] is bool(cursor)


def test_a_cursor_of_another_sort_or_unsigned_is_refused(client: Client, db: None) -> None:
    many_labels(60)
    by_level = Cursor("level", ("bronze", "cluster 0010", 10)).encode()
    forged = by_level.replace(by_level[-3:], "xyz")

    for cursor in (by_level, forged):
        response = client.get(reverse("registry"), {"cursor": cursor})
        assert response.context["cursor_refused"] is True
        assert b'data-testid="cursor-refused"' in response.content


@pytest.mark.parametrize("size", [101, 500])
def test_a_page_costs_the_same_queries_whatever_the_volume(
    client: Client, db: None, django_assert_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    many_labels(size)
    following = client.get(reverse("registry")).context["links"]["next"]

    # The data's version (ETag), the sector choices, the page; the request's savepoint pair
    # (the total is counted once per version of the data, by the first request).
    with django_assert_num_queries(5):
        response = client.get(reverse("registry") + following, {"country": "DE"})

    assert len(response.context["page"]) == PAGE_SIZE


def test_the_page_says_how_many_labels_the_registry_holds_and_links_next(client: Client, db: None) -> None:
    many_labels(60)

    page = client.get(reverse("registry")).content.decode()

    assert "The registry holds 60 valid labels." in page
    LabelFactory()
    assert "The registry holds 61 valid labels." in client.get(reverse("registry")).content.decode()
    assert 'rel="next"' in page and 'rel="prev"' not in page
    assert 'aria-label="Pages of the registry"' in page


def test_a_rename_moves_the_organisations_labels_in_the_registry(
    client: Client, db: None, people: dict[str, User]
) -> None:
    label = LabelFactory(organisation=OrganisationFactory(name="Zeta Cluster"))
    LabelFactory(organisation=OrganisationFactory(name="Beta Cluster"))

    organisation_name_correct(organisation=label.organisation, name="  Alpha   CLUSTER ", by=people["office"])

    label.refresh_from_db()
    assert label.sort_name == "alpha cluster"
    names = [shown.organisation.name for shown in client.get(reverse("registry")).context["page"]]
    assert names == ["Alpha   CLUSTER", "Beta Cluster"]


# --- Conditional GET ----------------------------------------------------------------------------


def public_pages(label: Label) -> list[str]:
    return [
        reverse("registry"),
        reverse("registry") + "?country=DE",
        reverse("registry_organisation", args=[label.organisation.slug]),
        reverse("verify", args=[label.code]),
    ]


def test_public_pages_send_an_etag_and_answer_304_when_it_matches(client: Client, db: None) -> None:
    label = LabelFactory(organisation=OrganisationFactory(country="DE"))

    for url in public_pages(label):
        response = client.get(url)
        assert response.status_code == 200 and response.has_header("ETag"), url
        assert {"Cookie", "Accept-Language"} <= {part.strip() for part in response["Vary"].split(",")}, url

        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])

        assert again.status_code == 304 and again.content == b"", url
        assert "public" in again["Cache-Control"], url


def test_the_etag_differs_by_address_and_language(client: Client, db: None) -> None:
    label = LabelFactory(organisation=OrganisationFactory(country="DE"))

    etags = {client.get(url)["ETag"] for url in public_pages(label)}
    serbian = client.get(reverse("registry"), HTTP_ACCEPT_LANGUAGE="sr-latn")["ETag"]

    assert len(etags) == 4 and serbian not in etags


def test_a_new_label_or_a_revocation_changes_the_etag(client: Client, db: None, people: dict[str, User]) -> None:
    label = LabelFactory()
    before = client.get(reverse("registry"))["ETag"]
    verify_before = client.get(reverse("verify", args=[label.code]))["ETag"]

    LabelFactory()
    after_new = client.get(reverse("registry"))["ETag"]
    label_revoke(label=label, by=people["office"], reason="A test.")
    revoked = client.get(reverse("verify", args=[label.code]), HTTP_IF_NONE_MATCH=verify_before)

    assert after_new != before
    assert revoked.status_code == 200 and b"revoked" in revoked.content.lower()


def test_a_logged_in_page_is_never_marked_public(client: Client, db: None, people: dict[str, User]) -> None:
    label = LabelFactory()
    client.force_login(people["office"])

    for url in public_pages(label):
        response = client.get(url)
        assert "public" not in response["Cache-Control"] and "private" in response["Cache-Control"], url
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and "private" in again["Cache-Control"], url


def test_a_full_anonymous_page_that_sets_a_cookie_stays_private(client: Client, db: None) -> None:
    """The page renders a CSRF token, whose cookie Django sends again: no shared cache may keep it."""
    response = client.get(reverse("registry"))

    assert "csrftoken" in response.cookies
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_verification_always_revalidates(client: Client, db: None) -> None:
    label = LabelFactory()

    response = client.get(reverse("verify", args=[label.code]))

    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_the_labels_follow_their_organisations_country(db: None) -> None:
    label = LabelFactory(organisation=OrganisationFactory(country="DE"))
    organisation = label.organisation

    organisation.country = "AT"
    organisation.save(update_fields=["country"])

    label.refresh_from_db()
    assert label.organisation_country == "AT"


def test_a_waiting_message_is_shown_rather_than_answered_304(client: Client, db: None) -> None:
    response = client.get(reverse("registry"))
    client.cookies["messages"] = "a message waits"

    again = client.get(reverse("registry"), HTTP_IF_NONE_MATCH=response["ETag"])

    assert again.status_code == 200


def test_an_unknown_code_is_never_kept(client: Client, db: None) -> None:
    response = client.get(reverse("verify", args=["NO-SUCH-CODE"]))

    assert response.status_code == 404 and not response.has_header("ETag")
    assert "no-store" in response["Cache-Control"]


def test_labels_written_in_bulk_get_their_registry_keys_refilled(client: Client, db: None) -> None:
    many_labels(3)
    Label.objects.update(sort_name="", organisation_country="")

    written = registry_keys_refill()

    assert written == 3 and registry_keys_refill() == 0
    assert set(Label.objects.values_list("organisation_country", flat=True)) == {"DE"}
    assert "" not in set(Label.objects.values_list("sort_name", flat=True))


def test_the_country_select_keeps_the_chosen_country(client: Client, db: None) -> None:
    page = client.get(reverse("registry"), {"country": "RS"}).content.decode()

    assert '<option value="RS" selected>Serbia</option>' in page
    assert '<select name="country" class="form-select form-select-sm" id="id_country">' in page
