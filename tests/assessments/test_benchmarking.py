"""The benchmarking report: statistics checked by hand, k-anonymity, who may read it, the PDF."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django import DjangoAssertNumQueries, DjangoCaptureOnCommitCallbacks, Settings

from accounts.models import User
from assessments.benchmarking.figures import GroupFigure
from assessments.benchmarking.groups import MIN_PEERS
from assessments.benchmarking.report import benchmarking_report
from assessments.benchmarking.selectors import highest_levels, latest_completed_benchmarkings
from assessments.benchmarking.statistics import Summary, percentile_rank, quartiles, standing, summarise
from assessments.enums import ApplicationState, AssignmentState
from assessments.models import Answer, Application, Assignment, BenchmarkingReport, QuestionnaireVersion
from assessments.tasks import render_benchmarking_report
from clusters.enums import MembershipRole
from clusters.models import ClusterOrganisation, Membership
from common.enums import Level
from tests.conftest import missing
from tests.factories import AssessorProfileFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Figures are compared as English text; a request in a person's own language
    leaves that language active in the thread, so each test starts in English."""
    with translation.override("en"):
        yield


# --- The statistics, against values computed by hand ---------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1, 2, 3, 4, 5], (2, 3, 4)),
        ([4, 1, 3, 2], (1.75, 2.5, 3.25)),  # positions 0.75, 1.5, 2.25 of 1, 2, 3, 4
        ([10, 20, 40, 70, 100, 130], (25, 55, 92.5)),  # positions 1.25, 2.5, 3.75
        ([7, 7], (7, 7, 7)),
    ],
)
def test_quartiles_interpolate_inclusively(values: list[float], expected: tuple[float, ...]) -> None:
    assert quartiles(values) == pytest.approx(expected)


def test_quartiles_need_two_values() -> None:
    with pytest.raises(ValueError):
        quartiles([3])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 0), (10, 12.5), (20, 50), (25, 75), (30, 87.5), (40, 100)],
)
def test_percentile_counts_lower_peers_and_half_the_ties(value: float, expected: float) -> None:
    assert percentile_rank(value, [10, 20, 20, 30]) == expected


def test_summary_and_standing_of_five_peers() -> None:
    summary = summarise([50, 10, 40, 20, 30])

    assert summary == Summary(count=5, minimum=10, q1=20, median=30, q3=40, maximum=50)
    assert [standing(v, summary) for v in (15, 25, 30, 35, 45)] == [
        "in the lowest quarter",
        "below the median",
        "at the median",
        "above the median",
        "in the highest quarter",
    ]


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
    peers(bronze, [10, 20, 30, 40, 50])

    found = figures(own, "S1.1")

    everyone = found["all"]
    assert everyone.summary == Summary(count=5, minimum=10, q1=20, median=30, q3=40, maximum=50)
    assert (everyone.percentile, everyone.standing) == (80, "in the highest quarter")
    assert found["country"].summary == everyone.summary


def test_only_each_peers_latest_completed_benchmarking_counts(bronze: QuestionnaireVersion, own: Application) -> None:
    peers(bronze, [10, 20, 30, 40])
    renewed = OrganisationFactory()
    benchmarked(renewed, bronze, {"S1.1": 1000}, assessed_on=date(2020, 5, 1))
    benchmarked(renewed, bronze, {"S1.1": 50}, assessed_on=date(2024, 5, 1))
    benchmarked(OrganisationFactory(), bronze, {"S1.1": 2000}, state=ApplicationState.IN_QUALITY_CHECK)
    benchmarked(OrganisationFactory(), bronze, {"S1.1": 3000}, state=ApplicationState.REFUSED)
    benchmarked(own.organisation, bronze, {"S1.1": 4000}, assessed_on=date(2021, 1, 1))  # its own older one

    summary = figures(own, "S1.1")["all"].summary

    assert summary == Summary(count=5, minimum=10, q1=20, median=30, q3=40, maximum=50)


def test_peer_groups_follow_country_sector_and_level(bronze: QuestionnaireVersion, own: Application) -> None:
    from common.models import Sector

    food = Sector.objects.get(name="Food industry")
    own.organisation.sectors.add(food)
    peers(bronze, [10, 20, 30, 40, 50], country="DE")
    peers(bronze, [1, 2, 3, 4, 5], country="RS")
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
    assert (sector.median, country.median) == (30, 3)


def test_a_group_of_four_peers_is_not_shown_and_says_why(
    bronze: QuestionnaireVersion, own: Application, manager: Membership
) -> None:
    peers(bronze, [10, 20, 30, 40], country="RS")
    peers(bronze, [50, 60], country="DE")

    found = figures(own, "S1.1")

    assert found["all"].summary is not None
    assert found["country"].summary is None
    assert found["country"].note.startswith(f"Not shown: fewer than {MIN_PEERS} other organisations")
    client = Client()
    client.force_login(manager.user)
    page = client.get(reverse("benchmarking:detail", args=[own.pk])).content.decode()
    assert f"Not shown: fewer than {MIN_PEERS} other organisations in this group" in page


def test_an_indicator_answered_by_four_peers_is_not_shown(bronze: QuestionnaireVersion, own: Application) -> None:
    peers(bronze, [10, 20, 30, 40, 50])
    share = bronze.indicators.get(code="S1.3")
    for application in Application.objects.exclude(pk=own.pk)[:4]:
        Answer.objects.create(application=application, indicator=share, value="50")

    found = figures(own, "S1.3")["all"]

    assert found.summary is None
    assert "fewer than 5 organisations of this group answered this indicator" in found.note
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
    # Only statistics: the second and fifth peers, neither a quartile nor an end, never appear.
    assert ("9,202" in page, "9,505" in page, "9,606" in page) == (False, False, True)


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
    client.force_login(manager.user)

    # session, user, savepoint pair; roles, the application's scope, the membership rule;
    # the report: sections, indicators, own answers, scores, assessor's report, sectors,
    # peers, peers' answers, peers sharing a sector, levels awarded, labels held; the menu's role pages (4)
    with django_assert_num_queries(22):
        response = client.get(reverse("benchmarking:detail", args=[own.pk]))

    assert response.status_code == 200


# --- The PDF --------------------------------------------------------------------------------------


def pdf_text(path: str) -> str:
    if shutil.which("pdftotext") is None:
        missing("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", path, "-"], check=True, capture_output=True, text=True).stdout


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
    peers(bronze, [10, 20, 30, 40, 50])
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
    for shown in ("45 members", "5 peers, median 30; percentile 80, in the highest quarter", "Benchmarking report"):
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
    assert all(row.figures[0].percentile is not None for row in rows)
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
