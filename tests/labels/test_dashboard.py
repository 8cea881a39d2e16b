"""The expiry dashboard: its figures, lists, CSV, charts, and who sees which countries."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import TypedDict

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from clusters.enums import OrganisationState
from clusters.models import ClusterOrganisation
from labels.dashboard import dashboard_figures, expiry_timeline
from labels.models import Label
from labels.statistics import Scope, held_per_year, years_until
from labels.validity import end_of_month_after
from tests.factories import LabelFactory, MembershipFactory, OrganisationFactory, PartnerStaffFactory

TODAY = timezone.localdate()
FIVE_MONTHS_AGO = end_of_month_after(TODAY, -5)
SERBIA = Scope(("RS",))


class Scene(TypedDict):
    in_20_days: Label
    in_60_days: Label
    in_150_days: Label
    in_2_years: Label
    renewable: Label
    lapsed: Label
    revoked: Label
    croatian: Label
    never: ClusterOrganisation
    inactive_never: ClusterOrganisation


@pytest.fixture
def scene(db: None) -> Scene:
    """Serbian labels in every state, and one Croatian label that a Serbian partner must not see."""

    def label(country: str, valid_until: date, **extra: object) -> Label:
        organisation = OrganisationFactory(country=country)
        return LabelFactory(
            organisation=organisation,
            valid_from=valid_until - timedelta(days=730),
            assessed_on=valid_until - timedelta(days=730),
            valid_until=valid_until,
            **extra,
        )

    return {
        "in_20_days": label("RS", TODAY + timedelta(days=20)),
        "in_60_days": label("RS", TODAY + timedelta(days=60)),
        "in_150_days": label("RS", TODAY + timedelta(days=150)),
        "in_2_years": label("RS", TODAY + timedelta(days=700)),
        "renewable": label("RS", FIVE_MONTHS_AGO),  # its window is open 7 more months
        "lapsed": label("RS", date(2014, 3, 31)),  # a label of the Serbian story
        "revoked": label("RS", TODAY + timedelta(days=20), revoked_at=timezone.now()),
        "croatian": label("HR", TODAY + timedelta(days=20)),
        "never": OrganisationFactory(country="RS"),
        "inactive_never": OrganisationFactory(country="RS", state=OrganisationState.INACTIVE),
    }


def test_the_figures_count_each_state_for_the_countries_asked(scene: Scene) -> None:
    assert dashboard_figures(SERBIA, TODAY) == {
        "expiring-30": 1,
        "expiring-90": 2,
        "expiring-180": 3,
        "renewable": 1,
        "lapsed": 1,
        "never": 2,  # the organisation without a label, and the one whose only label was revoked
        "holding": 4,
    }
    assert dashboard_figures(Scope(None), TODAY)["expiring-30"] == 2


def test_a_lapsed_label_of_an_organisation_labelled_again_is_not_counted_as_lapsed(scene: Scene) -> None:
    lapsed = scene["lapsed"]
    LabelFactory(organisation=lapsed.organisation, level="gold", valid_until=TODAY + timedelta(days=400))
    assert dashboard_figures(SERBIA, TODAY)["lapsed"] == 0


def test_the_timeline_puts_each_label_in_the_month_it_expires(scene: Scene) -> None:
    months, per_level = expiry_timeline(SERBIA, TODAY)
    assert (months[0], months[-1], len(months)) == (end_of_month_after(TODAY, 0), end_of_month_after(TODAY, 23), 24)
    expected = [0] * 24
    for days in (20, 60, 150, 700):
        end = TODAY + timedelta(days=days)
        expected[(end.year - TODAY.year) * 12 + end.month - TODAY.month] += 1
    assert per_level["bronze"] == expected
    assert per_level["gold"] == [0] * 24


def test_organisations_per_year_count_each_year_a_label_touches(scene: Scene) -> None:
    years, per_level = years_until(TODAY), held_per_year(SERBIA, TODAY)
    by_year = dict(zip(years, per_level["bronze"], strict=True))
    assert years[0] == 2010 and years[-1] == TODAY.year
    assert (by_year[2011], by_year[2012], by_year[2013], by_year[2014], by_year[2015]) == (0, 1, 1, 1, 0)
    assert by_year[TODAY.year] == 5  # the four valid ones and the renewable one


def test_a_partner_sees_its_countries_only(client: Client, scene: Scene) -> None:
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    client.force_login(partner)

    page = client.get("/labels/dashboard/").content.decode()
    listing = client.get("/labels/dashboard/expiring-30/").content.decode()
    sneaky = client.get("/labels/dashboard/expiring-30/?country=HR").content.decode()

    assert 'data-testid="figure-expiring-30"' in page
    assert scene["in_20_days"].code in listing and scene["croatian"].code not in listing
    assert scene["croatian"].code not in sneaky


def test_the_office_sees_every_country_and_can_filter_one(
    client: Client, scene: Scene, people: dict[str, User]
) -> None:
    client.force_login(people["office"])
    everything = client.get("/labels/dashboard/expiring-30/").content.decode()
    croatia = client.get("/labels/dashboard/expiring-30/?country=HR").content.decode()

    assert scene["in_20_days"].code in everything and scene["croatian"].code in everything
    assert scene["croatian"].code in croatia and scene["in_20_days"].code not in croatia


@pytest.mark.parametrize("role", ["manager", "assessor", "committee", "policy", "outsider"])
def test_other_roles_are_refused(client: Client, people: dict[str, User], role: str) -> None:
    client.force_login(people[role])
    assert client.get("/labels/dashboard/").status_code == 403
    assert client.get("/labels/dashboard/lapsed/").status_code == 403


def test_anonymous_visitors_are_asked_to_log_in(client: Client, db: None) -> None:
    response = client.get("/labels/dashboard/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/labels/dashboard/")


def test_an_unknown_figure_is_not_found(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["office"])
    assert client.get("/labels/dashboard/everything/").status_code == 404


def test_a_list_exports_to_csv_with_the_last_day_to_renew(
    client: Client, scene: Scene, people: dict[str, User]
) -> None:
    client.force_login(people["office"])
    response = client.get("/labels/dashboard/renewable/?format=csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    renewable = scene["renewable"]

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][-1] == "last_day_to_renew"
    assert rows[1][0] == renewable.code and rows[1][-1] == end_of_month_after(FIVE_MONTHS_AGO, 12).isoformat()
    assert len(rows) == 2


def test_organisation_lists_export_too(client: Client, scene: Scene, people: dict[str, User]) -> None:
    client.force_login(people["office"])
    response = client.get("/labels/dashboard/never/?format=csv&country=RS")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    names = [row[0] for row in rows[1:]]
    assert scene["never"].name in names
    assert scene["inactive_never"].name not in names and scene["lapsed"].organisation.name not in names


def test_the_dashboard_draws_both_charts_with_their_tables(
    client: Client, scene: Scene, people: dict[str, User]
) -> None:
    client.force_login(people["office"])
    page = client.get("/labels/dashboard/").content.decode()
    assert page.count("<svg") == 2
    assert "Labels expiring in the next 24 months" in page
    assert "Labelled organisations per year since 2010" in page
    assert page.count("<details") >= 2


def _labels(count: int) -> None:
    for i in range(count):
        organisation = OrganisationFactory(country="RS")
        MembershipFactory(organisation=organisation)
        LabelFactory(organisation=organisation, valid_until=TODAY + timedelta(days=10 + i))


@pytest.mark.parametrize("count", [10, 100])
def test_the_dashboard_costs_the_same_queries_for_any_number_of_labels(
    client: Client, people: dict[str, User], django_assert_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    _labels(count)
    client.force_login(people["office"])
    client.get("/labels/dashboard/")  # warm the session and permission caches, and store the figures
    # The figures are one query of stored rows (labels.figures): no count over the labels; the
    # header's partner and staff roles are read once per request (common.request_cache).
    with django_assert_num_queries(7):
        assert client.get("/labels/dashboard/").status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_a_list_costs_the_same_queries_for_any_number_of_labels(
    client: Client, people: dict[str, User], django_assert_num_queries: DjangoAssertNumQueries, count: int
) -> None:
    _labels(count)
    client.force_login(people["office"])
    client.get("/labels/dashboard/expiring-180/")
    # 11 (was 12): the header's partner and staff roles are read once per request (common.request_cache).
    with django_assert_num_queries(7):
        assert client.get("/labels/dashboard/expiring-180/").status_code == 200


def test_a_label_page_is_for_its_organisation_its_partner_and_the_office(
    client: Client, scene: Scene, people: dict[str, User]
) -> None:
    label = scene["in_20_days"]
    manager = MembershipFactory(organisation=label.organisation).user
    other_manager = MembershipFactory().user
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    other_partner = PartnerStaffFactory(partner__countries=["HR"]).user
    url = f"/labels/label/{label.code}/"
    expected = {
        manager: 200,
        partner: 200,
        people["office"]: 200,
        other_manager: 404,
        other_partner: 404,
        people["outsider"]: 404,
    }

    for person, status in expected.items():
        client.force_login(person)
        assert client.get(url).status_code == status, person
    client.logout()
    assert client.get(url).status_code == 302


def test_the_label_page_offers_the_renewal_to_its_manager(client: Client, scene: Scene) -> None:
    label = scene["renewable"]
    manager = MembershipFactory(organisation=label.organisation).user
    client.force_login(manager)
    page = client.get(f"/labels/label/{label.code}/").content.decode()
    assert f'href="/assessments/new/{label.organisation.slug}/?level=bronze#level-bronze"' in page
    start = client.get(f"/assessments/new/{label.organisation.slug}/?level=bronze").content.decode()
    assert 'id="level-bronze" data-testid="level-bronze" data-suggested="true"' in start
