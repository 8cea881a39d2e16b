"""The benchmarking report: statistics checked by hand, peer groups, who may read it, the PDF.

The disclosure rule itself is proved in test_benchmarking_disclosure.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import User
from assessments.benchmarking.disclosure import Figures
from assessments.benchmarking.figures import GroupFigure, standing
from assessments.benchmarking.report import benchmarking_report
from assessments.benchmarking.selectors import highest_levels, latest_completed_benchmarkings
from assessments.benchmarking.statistics import harrell_davis, hd_weights, share_below
from assessments.enums import ApplicationState, AssignmentState
from assessments.models import Answer, Application, Assignment, BenchmarkingReport, QuestionnaireVersion
from assessments.tasks import render_benchmarking_report
from clusters.enums import MembershipRole
from clusters.models import ClusterOrganisation, Membership
from common.enums import Level
from tests.factories import AssessorProfileFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Figures are compared as English text; a request in a person's own language
    leaves that language active in the thread, so each test starts in English."""
    with translation.override("en"):
        yield


# --- The statistics, against values computed by hand ---------------------------------------------


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        # n = 3, p = 1/2: a = b = 2, I_x = 3x^2 - 2x^3, so the weights are 7/27, 13/27, 7/27.
        ([0, 0, 27], 0.5, 7),
        # n = 3, p = 1/4: a = 1, b = 3, I_x = 1 - (1 - x)^3, so 19/27, 7/27, 1/27.
        ([54, 0, 27], 0.25, 9),
        # n = 2: a = b = 1.5, symmetric, the mean of the two.
        ([10, 20], 0.5, 15),
        # five symmetric values: the middle one.
        ([1, 2, 3, 4, 5], 0.5, 3),
    ],
)
def test_harrell_davis_against_weights_computed_by_hand(values: list[float], p: float, expected: float) -> None:
    assert harrell_davis(values, p) == pytest.approx(expected)


@pytest.mark.parametrize(("n", "p"), [(5, 0.5), (6, 0.25), (9, 0.5), (10, 0.75)])
def test_every_answer_weighs_in_the_estimate(n: int, p: float) -> None:
    weights = hd_weights(n, p)

    assert sum(weights) == pytest.approx(1)
    assert min(weights) > 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 0), (10, 0), (20, 25), (25, 75), (30, 75), (40, 100)],
)
def test_percentile_counts_lower_peers_only(value: float, expected: float) -> None:
    """Ties are not counted: a half-counted tie would tell that a peer answered exactly this value."""
    assert share_below(value, [10, 20, 20, 30]) == expected


def test_standing_against_the_figures_shown() -> None:
    figures = Figures(count=10, median=30, q1=20, q3=40)

    assert [standing(v, figures) for v in (15, 25, 30, 35, 45)] == [
        "in the lowest quarter",
        "below the median",
        "at the median",
        "above the median",
        "in the highest quarter",
    ]
    assert standing(15, Figures(count=5, median=30)) == "below the median"


# --- Arranging completed benchmarkings ------------------------------------------------------------


def benchmarked(
    organisation: ClusterOrganisation,
    version: QuestionnaireVersion,
    values: dict[str, object],
    *,
    assessed_on: date = date(2025, 3, 1),
    state: ApplicationState = ApplicationState.AWARDED,
) -> Application:
    """An application that went through the workflow, as its rows look afterwards."""
    application = Application.objects.create(
        organisation=organisation,
        level=Level.BRONZE,
        version=version,
        state=state,
        submitted_at=timezone.now() - timedelta(days=60),
        assessed_on=assessed_on,
        # as the submission froze it (assessments.services.workflow)
        peer_basis={
            "country": organisation.country.code,
            "sectors": sorted(organisation.sectors.values_list("pk", flat=True)),
        },
    )
    indicators = {i.code: i for i in version.indicators.all()}
    Answer.objects.bulk_create(
        Answer(application=application, indicator=indicators[code], value=value) for code, value in values.items()
    )
    return application


def peers(version: QuestionnaireVersion, members: list[int], *, country: str = "RS") -> None:
    """One organisation with a completed benchmarking per number of members."""
    for number in members:
        benchmarked(OrganisationFactory(country=country), version, {"S1.1": number, "S1.2": f"{number / 10}"})


@pytest.fixture
def own(bronze: QuestionnaireVersion, manager: Membership) -> Application:
    return benchmarked(manager.organisation, bronze, {"S1.1": 45, "S1.2": "2.5", "S1.3": "40"})


def figures(application: Application, code: str) -> dict[str, GroupFigure]:
    data = benchmarking_report(application)
    row = next(r for s in data.sections for r in s.indicators if r.indicator.code == code)
    return {f.group.key: f for f in row.figures}


# --- The report ---------------------------------------------------------------------------------


def test_report_places_the_organisation_among_hand_computed_peers(
    bronze: QuestionnaireVersion, own: Application
) -> None:
    peers(bronze, [10, 20, 30, 40, 80])

    found = figures(own, "S1.1")

    # .058 * 10 + .260 * 20 + .365 * 30 + .260 * 40 + .058 * 80 = 31.7 (hd_weights(5, 0.5)), rounded;
    # five peers are too few for quartiles (min_peers_quartiles).
    everyone = found["all"]
    assert everyone.summary == Figures(count=5, median=32)
    assert (everyone.percentile, everyone.standing) == (80, "above the median")
    assert found["country"].summary == everyone.summary


def test_only_each_peers_latest_completed_benchmarking_counts(bronze: QuestionnaireVersion, own: Application) -> None:
    peers(bronze, [10, 20, 30, 40])
    renewed = OrganisationFactory()
    benchmarked(renewed, bronze, {"S1.1": 1000}, assessed_on=date(2020, 5, 1))
    benchmarked(renewed, bronze, {"S1.1": 80}, assessed_on=date(2024, 5, 1))
    benchmarked(OrganisationFactory(), bronze, {"S1.1": 2000}, state=ApplicationState.IN_QUALITY_CHECK)
    benchmarked(OrganisationFactory(), bronze, {"S1.1": 3000}, state=ApplicationState.REFUSED)
    benchmarked(own.organisation, bronze, {"S1.1": 4000}, assessed_on=date(2021, 1, 1))  # its own older one

    summary = figures(own, "S1.1")["all"].summary

    assert summary == Figures(count=5, median=32)


def test_peer_groups_follow_country_sector_and_level(bronze: QuestionnaireVersion, own: Application) -> None:
    from common.models import Sector

    food = Sector.objects.get(name="Food industry")
    Application.objects.filter(pk=own.pk).update(peer_basis={"country": "RS", "sectors": [food.pk]})
    own.refresh_from_db()
    peers(bronze, [10, 20, 30, 40, 80], country="DE")
    peers(bronze, [100, 200, 300, 400, 800], country="RS")
    for organisation in ClusterOrganisation.objects.filter(country="DE"):
        organisation.sectors.add(food)

    groups = {g.key: g for g in benchmarking_report(own).groups}

    assert {key: (g.label, g.size, g.shown) for key, g in groups.items()} == {
        "all": ("All benchmarked organisations", 10, True),
        "country": ("Serbia", 5, True),
        "sector": ("Food industry", 5, True),
        "level": ("Bronze label holders", 10, True),
    }
    found = figures(own, "S1.1")
    sector, country = found["sector"].summary, found["country"].summary
    assert sector is not None and country is not None
    assert (sector.median, country.median) == (32, 317)


def test_a_group_of_four_peers_is_not_shown_and_says_why(
    bronze: QuestionnaireVersion, own: Application, manager: Membership
) -> None:
    peers(bronze, [10, 20, 30, 40], country="RS")
    peers(bronze, [50, 60], country="DE")

    found = figures(own, "S1.1")

    assert found["all"].summary is not None
    assert found["country"].summary is None
    assert found["country"].note == "Not shown: fewer than 5 peers."
    client = Client()
    client.force_login(manager.user)
    page = client.get(reverse("benchmarking:detail", args=[own.pk])).content.decode()
    assert "Not shown: fewer than 5 peers." in page


def test_an_indicator_answered_by_four_peers_is_not_shown(bronze: QuestionnaireVersion, own: Application) -> None:
    peers(bronze, [10, 20, 30, 40, 80])
    share = bronze.indicators.get(code="S1.3")
    for application in Application.objects.exclude(pk=own.pk)[:4]:
        Answer.objects.create(application=application, indicator=share, value="50")

    found = figures(own, "S1.3")["all"]

    assert found.summary is None
    assert found.note == "Not shown: fewer than 5 peers."
    summary = figures(own, "S1.1")["all"].summary
    assert summary is not None and summary.count == 5


def test_page_never_shows_the_answers_of_too_small_a_group(
    bronze: QuestionnaireVersion, own: Application, manager: Membership
) -> None:
    distinctive = [9137, 9241, 9359, 9463]
    peers(bronze, distinctive)
    names = list(ClusterOrganisation.objects.exclude(pk=own.organisation_id).values_list("name", flat=True))
    client = Client()
    client.force_login(manager.user)

    page = client.get(reverse("benchmarking:detail", args=[own.pk])).content.decode()

    assert [n for n in distinctive if f"{n:,}" in page or str(n) in page] == []
    assert [name for name in names if name in page] == []
    assert "45 members" in page  # its own answer is there


def test_page_shows_no_peer_by_name_nor_row_by_row(
    bronze: QuestionnaireVersion, own: Application, manager: Membership
) -> None:
    peers(bronze, [9101, 9202, 9303, 9404, 9505, 9606])
    names = list(ClusterOrganisation.objects.exclude(pk=own.organisation_id).values_list("name", flat=True))
    client = Client()
    client.force_login(manager.user)

    page = client.get(reverse("benchmarking:detail", args=[own.pk])).content.decode()

    assert [name for name in names if name in page] == []
    # Only figures the disclosure rule lets through: no end, no answer.
    assert [n for n in (9101, 9202, 9303, 9404, 9505, 9606) if f"{n:,}" in page or str(n) in page] == []


# --- Who may read it ------------------------------------------------------------------------------


def get(client: Client, user: User | None, application: Application) -> int:
    if user is not None:
        client.force_login(user)
    return client.get(reverse("benchmarking:detail", args=[application.pk])).status_code


def test_organisation_members_read_it(client: Client, own: Application, manager: Membership) -> None:
    contributor = MembershipFactory(organisation=own.organisation, role=MembershipRole.CONTRIBUTOR).user

    assert (get(client, manager.user, own), get(client, contributor, own)) == (200, 200)


def test_others_get_a_404_and_anonymous_people_a_login(
    client: Client, own: Application, people: dict[str, User]
) -> None:
    assert get(client, MembershipFactory().user, own) == 404  # manager of another organisation
    assert get(client, people["committee"], own) == 404
    assert get(client, UserFactory(), own) == 404
    client.logout()
    response = client.get(reverse("benchmarking:detail", args=[own.pk]))
    assert (response.status_code, response["Location"].startswith(reverse("accounts:login"))) == (302, True)


@pytest.mark.parametrize(("state", "status"), [(AssignmentState.ACCEPTED, 200), (AssignmentState.PENDING, 404)])
def test_only_an_assigned_assessor_reads_it(client: Client, own: Application, state: str, status: int) -> None:
    assigned, unassigned = AssessorProfileFactory().user, AssessorProfileFactory().user
    Assignment.objects.create(application=own, assessor=assigned, state=state)

    assert (get(client, assigned, own), get(client, unassigned, own)) == (status, 404)


def test_the_office_reads_it(client: Client, own: Application, people: dict[str, User]) -> None:
    assert get(client, people["office"], own) == 200


def test_a_benchmarking_not_yet_completed_has_no_report(
    client: Client, bronze: QuestionnaireVersion, manager: Membership
) -> None:
    application = benchmarked(manager.organisation, bronze, {"S1.1": 45}, state=ApplicationState.AWAITING_DECISION)

    assert get(client, manager.user, application) == 404


@pytest.mark.parametrize("size", [5, 20])
def test_page_queries_do_not_grow_with_the_peers(
    client: Client,
    bronze: QuestionnaireVersion,
    own: Application,
    manager: Membership,
    size: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    peers(bronze, list(range(10, 10 + size)))
    from common.models import Sector

    food = Sector.objects.get(name="Food industry")
    Application.objects.filter(pk=own.pk).update(peer_basis={"country": "RS", "sectors": [food.pk]})
    client.force_login(manager.user)

    # session, user, savepoint pair; roles, the application's scope, the membership rule;
    # the report: sections, indicators, own answers, scores, assessor's report, sectors,
    # peers, peers' answers, peers sharing a sector, levels awarded, labels held; the menu's role pages (3:
    # was 4, the memberships are read once per request for the rule and the menu)
    with django_assert_num_queries(17):
        response = client.get(reverse("benchmarking:detail", args=[own.pk]))

    assert response.status_code == 200


# --- The PDF --------------------------------------------------------------------------------------


def pdf_text(path: str) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_pdf_shows_the_figures_of_the_page(
    client: Client,
    bronze: QuestionnaireVersion,
    own: Application,
    manager: Membership,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    peers(bronze, [10, 20, 30, 40, 80])
    client.force_login(manager.user)
    url = reverse("benchmarking:pdf", args=[own.pk])

    with django_capture_on_commit_callbacks(execute=True):
        waiting = client.get(url)
    response = client.get(url)

    assert waiting.status_code == 202
    assert (response["Content-Type"], response["Content-Disposition"].startswith("attachment;")) == (
        "application/pdf",
        True,
    )
    stored = BenchmarkingReport.objects.get(application=own)
    text = " ".join(pdf_text(stored.pdf.path).split())
    page = client.get(reverse("benchmarking:detail", args=[own.pk])).content.decode()
    for shown in ("45 members", "5 peers, median 32; percentile 80, above the median", "Benchmarking report"):
        assert (shown in page, shown in text) == (True, True), shown


def test_pdf_is_printed_in_the_readers_language(
    client: Client,
    bronze: QuestionnaireVersion,
    own: Application,
    manager: Membership,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    peers(bronze, [10, 20, 30, 40, 50])
    manager.user.preferred_language = "sr-latn"
    manager.user.save(update_fields=["preferred_language"])
    client.force_login(manager.user)
    url = reverse("benchmarking:pdf", args=[own.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert client.get(url)["Content-Type"] == "application/pdf"

    text = " ".join(pdf_text(BenchmarkingReport.objects.get(application=own).pdf.path).split())
    assert "Izveštaj o benčmarkingu" in text


def test_pdf_renders_once_per_set_of_figures(
    bronze: QuestionnaireVersion, own: Application, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    peers(bronze, [10, 20, 30, 40, 50])
    render_benchmarking_report(own.pk)
    first = BenchmarkingReport.objects.get(application=own)

    render_benchmarking_report(own.pk)  # a redelivery
    again = BenchmarkingReport.objects.get(application=own)
    peers(bronze, [60])  # another organisation completes its benchmarking
    render_benchmarking_report(own.pk)
    moved = BenchmarkingReport.objects.get(application=own)

    assert (again.pdf.name, again.rendered_at) == (first.pdf.name, first.rendered_at)
    assert moved.pdf.name != first.pdf.name
    assert moved.pdf.read()[:5] == b"%PDF-"


def test_pdf_task_is_quiet_for_what_is_no_completed_benchmarking(
    bronze: QuestionnaireVersion, manager: Membership
) -> None:
    draft = benchmarked(manager.organisation, bronze, {}, state=ApplicationState.SUBMITTED)

    render_benchmarking_report(draft.pk)
    render_benchmarking_report(987654)

    assert BenchmarkingReport.objects.count() == 0


# --- The demo -------------------------------------------------------------------------------------


def test_demo_manager_sees_where_their_organisation_stands(client: Client, db: None, settings: Settings) -> None:
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    before = Application.objects.count()
    call_command("seed_demo", stdout=StringIO())
    manager = User.objects.get(email="manager@demo.test")
    application = Application.objects.get(organisation__memberships__user=manager, state=ApplicationState.AWARDED)
    data = benchmarking_report(application)
    client.force_login(manager)

    start = client.get(reverse("clusters:manager_start")).content.decode()
    page = client.get(reverse("benchmarking:detail", args=[application.pk])).content.decode()

    assert Application.objects.count() == before
    countries = Application.objects.filter(state=ApplicationState.AWARDED).values("organisation__country").distinct()
    assert countries.count() >= 6
    groups = {g.key: g for g in data.groups}
    assert (groups["all"].shown, groups["country"].shown, groups["country"].label) == (True, True, "Serbia")
    rows = [row for section in data.sections for row in section.indicators]
    assert len(rows) == 17
    assert [(row.indicator.code, row.figures[0].note) for row in rows if row.figures[0].percentile is None] == []
    assert reverse("benchmarking:detail", args=[application.pk]) in start
    assert page.count('data-testid="figure-all"') == 17


def test_the_level_group_counts_labels_imported_before_the_portal(
    bronze: QuestionnaireVersion, own: Application
) -> None:
    """A peer holding an imported Gold label is in the Gold group, though its Gold was never awarded here."""
    from tests.factories import LabelFactory

    peers(bronze, list(range(10, 16)))
    peer = Application.objects.exclude(organisation=own.organisation).first()
    assert peer is not None
    peer_organisation = peer.organisation
    LabelFactory(organisation=peer_organisation, level="gold")

    levels = highest_levels(own.organisation, latest_completed_benchmarkings().exclude(organisation=own.organisation))

    assert levels[peer_organisation.pk] == "gold"
    assert levels[own.organisation.pk] == "bronze"
