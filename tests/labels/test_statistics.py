"""Statistics for policy readers, partners and the label office: figures computed by hand
on a small world, scoping, CSV export, query counts and the country comparison."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from assessments.enums import ApplicationState, DecisionOutcome, VersionStatus
from assessments.models import Application, Decision, Questionnaire, QuestionnaireVersion
from clusters.models import ClusterOrganisation
from labels import statistics as stats
from labels.models import Label
from labels.validity import compute_validity
from tests.factories import LabelFactory, OrganisationFactory, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

TODAY = date(2020, 6, 15)
ALL = stats.Scope(countries=None)
ELIGIBLE = {
    "management_fte": Decimal("1"),
    "members_sme": 20,
    "members_research": 3,
    "website": "https://c.example",
    "website_in_english": True,
    "eccp_url": "https://clustercollaboration.eu/c",
}


def label(organisation: ClusterOrganisation, level: str, assessed_on: str, previous: Label | None = None) -> Label:
    """A label whose dates follow the scheme's rules, as the import would compute them."""
    validity = compute_validity(
        level=level,
        assessed_on=date.fromisoformat(assessed_on),
        previous_valid_until=previous.valid_until if previous else None,
    )
    new = LabelFactory(
        organisation=organisation,
        level=level,
        assessed_on=date.fromisoformat(assessed_on),
        valid_from=validity.valid_from,
        valid_until=validity.valid_until,
        # Only one current label per organisation and level: born aside, then it supersedes the previous one.
        revoked_at=timezone.now() if previous else None,
    )
    if previous:
        Label.objects.filter(pk=previous.pk).update(superseded_by=new)
        Label.objects.filter(pk=new.pk).update(revoked_at=None)
        new.refresh_from_db()
    return new


@pytest.fixture
def world(db: None) -> dict[str, ClusterOrganisation]:
    """Serbia: two Bronze labels of 2012-2013, never renewed. Germany: one renewed in
    the window, one renewed too late, one current Gold. Austria: a Gold whose window
    is open on TODAY, and a revoked Bronze that counts nowhere."""
    orgs = {
        "rs1": OrganisationFactory(country="RS", **ELIGIBLE),
        "rs2": OrganisationFactory(country="RS"),
        "de1": OrganisationFactory(country="DE", **ELIGIBLE),
        "de2": OrganisationFactory(country="DE"),
        "de3": OrganisationFactory(country="DE", **ELIGIBLE),
        "at1": OrganisationFactory(country="AT"),
    }
    label(orgs["rs1"], "bronze", "2012-04-18")  # until 2014-04-30
    label(orgs["rs2"], "bronze", "2013-02-21")  # until 2015-02-28
    de1a = label(orgs["de1"], "bronze", "2012-03-10")  # until 2014-03-31
    de1b = label(orgs["de1"], "bronze", "2014-09-01", previous=de1a)  # renewal: 2014-04-01 to 2017-03-31
    de2a = label(orgs["de2"], "bronze", "2013-01-15")  # until 2015-01-31, window closed 2016-01-31
    de2b = label(orgs["de2"], "bronze", "2016-05-01", previous=de2a)  # too late: a first label to 2018-05-31
    label(orgs["de3"], "gold", "2019-05-01")  # to 2021-05-31: held on TODAY
    label(orgs["at1"], "gold", "2018-01-10")  # to 2020-01-31: window open on TODAY
    revoked = label(orgs["at1"], "bronze", "2015-05-05")
    Label.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now(), revoke_reason="test")
    assert (de1b.valid_from, de1b.valid_until) == (date(2014, 4, 1), date(2017, 3, 31))
    assert de2b.valid_from == date(2016, 5, 1)
    return orgs


@pytest.fixture
def current(world: dict[str, ClusterOrganisation]) -> dict[str, ClusterOrganisation]:
    """The pages compute for the real today: give Germany one Gold held now."""
    label(world["de1"], "gold", (timezone.localdate() - timedelta(days=60)).isoformat())
    return world


def decided(organisation: ClusterOrganisation, level: str, submitted: str, days: int, by: User) -> None:
    questionnaire, _created = Questionnaire.objects.get_or_create(level=level, defaults={"title": level})
    version, _created = QuestionnaireVersion.objects.get_or_create(
        questionnaire=questionnaire, number=1, defaults={"status": VersionStatus.PUBLISHED}
    )
    submitted_at = timezone.make_aware(datetime.fromisoformat(submitted))
    application = Application.objects.create(
        organisation=organisation,
        level=level,
        version=version,
        state=ApplicationState.AWARDED,
        submitted_at=submitted_at,
    )
    Decision.objects.create(
        application=application,
        outcome=DecisionOutcome.AWARDED,
        decided_by=by,
        decided_at=submitted_at + timedelta(days=days),
    )


def rows_of(response: TestResponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


# --------------------------------------------------------------------------- figures


def test_renewal_rate_counts_renewals_inside_the_window_only(world: dict[str, ClusterOrganisation]) -> None:
    renewals = stats.renewals(ALL, TODAY)

    def year(y: int) -> int:
        return y - stats.FIRST_YEAR

    assert renewals.total[year(2014)] == (2, 1)
    assert renewals.total[year(2015)] == (2, 0)
    assert renewals.total[year(2017)] == (1, 0)
    assert renewals.total[year(2018)] == (1, 0)
    assert renewals.total[year(2020)] == (0, 0)  # Austria's Gold: window still open, outcome unknown
    assert renewals.by_country["RS"][year(2014)] == (1, 0)
    assert renewals.by_country["RS"][year(2015)] == (1, 0)
    assert renewals.by_country["DE"][year(2014)] == (1, 1)
    assert sorted(renewals.by_country) == ["DE", "RS"]
    assert stats.Renewals.rate(renewals.total[year(2014)]) == 50


def test_renewal_outcome_becomes_known_when_the_window_closes(world: dict[str, ClusterOrganisation]) -> None:
    later = date(2021, 2, 1)  # Austria's Gold window closed on 2021-01-31

    renewals = stats.renewals(ALL, later)

    assert renewals.by_country["AT"][2020 - stats.FIRST_YEAR] == (1, 0)


def test_labels_held_per_year_counts_each_organisation_once_per_level(world: dict[str, ClusterOrganisation]) -> None:
    held = stats.held_per_year(ALL, TODAY)

    bronze = dict(zip(stats.years_until(TODAY), held["bronze"], strict=True))
    gold = dict(zip(stats.years_until(TODAY), held["gold"], strict=True))
    assert [bronze[y] for y in range(2011, 2021)] == [0, 2, 4, 4, 3, 2, 2, 1, 0, 0]
    assert [gold[y] for y in range(2017, 2021)] == [0, 1, 2, 2]
    assert held["silver"] == [0] * len(stats.years_until(TODAY))


def test_by_country_and_level_counts_holders_on_the_day(world: dict[str, ClusterOrganisation]) -> None:
    rows = {r.country: r for r in stats.by_country(ALL, TODAY)}

    assert (rows["DE"].organisations, rows["DE"].labelled, rows["DE"].by_level) == (3, 1, {"gold": 1})
    assert (rows["RS"].organisations, rows["RS"].labelled) == (2, 0)
    assert (rows["AT"].organisations, rows["AT"].labelled) == (1, 0)
    assert stats.by_level(list(rows.values())) == {"bronze": 0, "silver": 0, "gold": 1}


def test_a_superseded_label_still_counts_while_its_dates_run(world: dict[str, ClusterOrganisation]) -> None:
    rows = {r.country: r for r in stats.by_country(ALL, date(2014, 2, 1))}

    assert rows["DE"].by_level == {"bronze": 2}
    assert rows["RS"].by_level == {"bronze": 2}


def test_median_time_from_submission_to_decision(world: dict[str, ClusterOrganisation]) -> None:
    committee = UserFactory()
    decided(world["rs1"], "bronze", "2020-01-01T10:00", 10, committee)
    decided(world["de1"], "bronze", "2020-02-01T10:00", 30, committee)
    decided(world["de3"], "gold", "2020-01-01T10:00", 50, committee)

    times = stats.decision_times(ALL)
    serbia = stats.decision_times(stats.Scope(countries=("RS",)))

    assert times.per_level == {"bronze": (20, 2), "silver": (None, 0), "gold": (50, 1)}
    assert times.overall == (30, 3)
    assert serbia.overall == (10, 1)


def test_share_of_eligible_organisations_holding_a_label(world: dict[str, ClusterOrganisation]) -> None:
    rows = {r.country: r for r in stats.eligible_share(ALL, TODAY)}

    assert (rows["DE"].eligible, rows["DE"].labelled, rows["DE"].share) == (2, 1, 50)
    assert (rows["RS"].eligible, rows["RS"].labelled, rows["RS"].share) == (1, 0, 0)
    assert rows["AT"].share is None


def test_by_sector_counts_organisations_and_holders(world: dict[str, ClusterOrganisation]) -> None:
    from common.models import Sector

    ict, _created = Sector.objects.get_or_create(name="ICT", defaults={"position": 1})
    world["de3"].sectors.add(ict)
    world["rs1"].sectors.add(ict)

    rows = stats.by_sector(ALL, TODAY)

    assert [(r.sector, r.organisations, r.labelled) for r in rows] == [("ICT", 2, 1)]


def test_country_comparison_against_the_european_median(world: dict[str, ClusterOrganisation]) -> None:
    OrganisationFactory(country="FR")
    label(OrganisationFactory(country="FR"), "bronze", "2019-09-01")
    label(OrganisationFactory(country="FR"), "bronze", "2019-10-01")

    comparison = stats.country_comparison("RS", TODAY)

    # labelled per country: FR 2, DE 1, AT 0, RS 0 -> median 0.5; Gold share: DE 100 %, FR 0 % -> 50 %
    assert (comparison.labelled, comparison.gold_share) == (0, None)
    assert comparison.median_labelled == 0.5
    assert comparison.median_gold_share == 50
    assert stats.country_comparison("DE", TODAY).gold_share == 100


# --------------------------------------------------------------------------- pages and scoping


@pytest.mark.parametrize("role", ["policy", "office"])
def test_overview_shows_every_figure_as_chart_and_table(
    client: Client, people: dict[str, User], world: dict[str, ClusterOrganisation], role: str
) -> None:
    client.force_login(people[role])

    response = client.get(reverse("statistics:overview"))

    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('role="img"') == 9
    assert content.count("<summary>Data table</summary>") == 9
    assert "Serbia" in content and "Germany" in content


@pytest.mark.parametrize("role", ["manager", "assessor", "committee", "outsider"])
def test_statistics_refuse_other_roles(client: Client, people: dict[str, User], role: str) -> None:
    client.force_login(people[role])

    for url in (
        reverse("statistics:overview"),
        reverse("statistics:comparison"),
        reverse("statistics:csv", args=["renewal-rate"]),
    ):
        assert client.get(url).status_code == 403


def test_statistics_send_anonymous_to_login(client: Client, db: None) -> None:
    url = reverse("statistics:overview")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_partner_sees_only_its_countries_whatever_the_filter(
    client: Client, people: dict[str, User], current: dict[str, ClusterOrganisation]
) -> None:
    client.force_login(people["partner"])  # partner for Serbia

    page = client.get(reverse("statistics:overview"), {"country": "DE"})
    by_country = rows_of(client.get(reverse("statistics:csv", args=["by-country"]), {"country": "DE"}))
    eligible = rows_of(client.get(reverse("statistics:csv", args=["eligible-share"])))

    assert page.status_code == 200
    assert "Germany" not in page.content.decode()
    # Serbia: the two of the world and the people fixture's manager's organisation
    assert by_country == [["Country", "Organisations", "Labelled organisations"], ["Serbia", "3", "0"]]
    assert [row[0] for row in eligible[1:]] == ["Serbia", "All countries shown"]


def test_office_filters_by_country(
    client: Client, people: dict[str, User], current: dict[str, ClusterOrganisation]
) -> None:
    client.force_login(people["office"])

    rows = rows_of(client.get(reverse("statistics:csv", args=["by-country"]), {"country": "DE"}))

    assert rows == [["Country", "Organisations", "Labelled organisations"], ["Germany", "3", "1"]]


def test_renewal_csv_shows_serbias_gap(
    client: Client, people: dict[str, User], world: dict[str, ClusterOrganisation]
) -> None:
    client.force_login(people["policy"])

    response = client.get(reverse("statistics:csv", args=["renewal-rate-by-country"]))
    rows = rows_of(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *body = rows
    serbia = dict(zip(header, next(r for r in body if r[0] == "Serbia"), strict=True))
    germany = dict(zip(header, next(r for r in body if r[0] == "Germany"), strict=True))
    assert (serbia["2014"], serbia["2015"], serbia["2016"]) == ("0 %", "0 %", "")
    assert serbia["Renewed of expired, all years"] == "0 of 2"
    assert (germany["2014"], germany["2015"]) == ("100 %", "0 %")


def test_csv_defuses_formulas(client: Client, people: dict[str, User], world: dict[str, ClusterOrganisation]) -> None:
    from common.models import Sector

    hostile, _created = Sector.objects.get_or_create(name="=HYPERLINK(1)", defaults={"position": 99})
    world["rs1"].sectors.add(hostile)
    client.force_login(people["policy"])

    rows = rows_of(client.get(reverse("statistics:csv", args=["by-sector"])))

    assert rows[1][0] == "'=HYPERLINK(1)"


def test_unknown_figure_is_not_found(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["policy"])

    assert client.get(reverse("statistics:csv", args=["nothing"])).status_code == 404


def test_comparison_page_puts_the_country_next_to_the_median(
    client: Client, people: dict[str, User], current: dict[str, ClusterOrganisation]
) -> None:
    client.force_login(people["policy"])

    response = client.get(reverse("statistics:comparison"), {"country": "RS"})
    rows = rows_of(client.get(reverse("statistics:csv", args=["comparison-labelled"]), {"country": "RS"}))

    content = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="country-labelled">0<' in content
    assert 'data-testid="median-gold-share">100 %<' in content
    assert rows == [["Country", "Labelled organisations"], ["Serbia", "0.0"], ["European median", "0.0"]]


def test_partner_compares_its_own_country_only(
    client: Client, people: dict[str, User], world: dict[str, ClusterOrganisation]
) -> None:
    client.force_login(people["partner"])

    response = client.get(reverse("statistics:comparison"), {"country": "DE"})

    assert response.context["country"] == "RS"


def test_policy_readers_land_on_the_one_statistics_page(
    client: Client, people: dict[str, User], world: dict[str, ClusterOrganisation]
) -> None:
    client.force_login(people["policy"])

    landed = client.get(reverse("accounts:start"), follow=True)
    old = client.get("/labels/statistics/")

    assert landed.redirect_chain == [(reverse("statistics:overview"), 302)]
    content = landed.content.decode()
    assert "Renewal rate by country and year of expiry" in content
    assert reverse("statistics:comparison") in content
    assert (old.status_code, old["Location"]) == (301, reverse("statistics:overview"))


# --------------------------------------------------------------------------- query counts


def grow(extra: int) -> None:
    for n in range(extra):
        country = ["FR", "IT", "ES", "PL"][n % 4]
        organisation = OrganisationFactory(country=country, **ELIGIBLE)
        first = label(organisation, "bronze", f"201{n % 8}-0{n % 9 + 1}-10")
        if n % 2:
            label(organisation, "bronze", f"201{n % 8 + 2}-0{n % 9 + 1}-01", previous=first)


PAGES = [
    ("statistics:overview", []),
    ("statistics:comparison", []),
    ("statistics:csv", ["renewal-rate-by-country"]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_statistics_pages_cost_the_same_queries_at_any_size(
    client: Client,
    people: dict[str, User],
    world: dict[str, ClusterOrganisation],
    django_assert_num_queries: DjangoAssertNumQueries,
    name: str,
    args: list[str],
) -> None:
    client.force_login(people["policy"])
    url = reverse(name, args=args)
    client.get(url)  # the session and the user's roles are read once per request anyway

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(12)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url)
    assert len(small.captured_queries) <= 20
