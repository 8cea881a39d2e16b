"""The benchmarking report's disclosure rule (README "Benchmarking privacy"), proved on what a reader sees.

Peer groups of 4, 5, 6, 9 and 10 organisations with known, distinctive answers
(no two peers share one); the page's text and the PDF's text are searched for
every peer's answer written the way the report writes numbers. None may appear:
a figure that would read as one peer's answer is the disclosure this rule
exists to prevent. The threshold is tried at and around its edge, with the
setting and against it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from pytest_django import Settings

from assessments.benchmarking.disclosure import Figures, disclose
from assessments.benchmarking.figures import GroupFigure, value_format
from assessments.benchmarking.pdf import benchmarking_pdf_render
from assessments.benchmarking.report import benchmarking_report
from assessments.enums import AnswerType, ApplicationState
from assessments.models import Answer, Application, Indicator, QuestionnaireVersion
from assessments.services.applications import application_transition
from clusters.models import ClusterOrganisation, Membership
from clusters.services import organisation_update
from common.enums import Level
from common.models import Sector
from common.scheme import disclosure_rules
from tests.factories import OrganisationFactory

SIZES = [4, 5, 6, 9, 10]
CODES = ("S1.1", "S1.2", "S1.3", "S1.9")
OWN = {"S1.1": 50, "S1.2": "2.5", "S1.3": "40", "S1.9": 90_000}


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def bronze_with_money(bronze: QuestionnaireVersion) -> QuestionnaireVersion:
    """The test questionnaire and an amount of money, in euros."""
    section = bronze.sections.get(code="S1")
    Indicator.objects.create(
        version=bronze, section=section, code="S1.9", title="Budget", answer_type=AnswerType.INTEGER, unit="EUR"
    )
    return bronze


def answers_of(i: int) -> dict[str, object]:
    """Peer i's answers: distinctive (no two peers share one, none is a round number, none is a
    figure the page shows for other reasons: group sizes, percentiles, years)."""
    return {
        "S1.1": 1000 + 137 * i + 7 * i * i,  # members, written 1,144
        "S1.2": f"{10 + 3.7 * i:.1f}",  # FTE, written 13.7
        "S1.3": f"{20 + 5.3 * i:.1f}",  # per cent, written 25.3 %
        "S1.9": 100_000 + 37_911 * i + 13 * i * i,  # euros, written 137,924
    }


def benchmarked(
    organisation: ClusterOrganisation, version: QuestionnaireVersion, values: dict[str, object]
) -> Application:
    application = Application.objects.create(
        organisation=organisation,
        level=Level.BRONZE,
        version=version,
        state=ApplicationState.AWARDED,
        submitted_at=timezone.now() - timedelta(days=60),
        assessed_on=date(2025, 3, 1),
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


@dataclass
class World:
    own: Application
    peer_answers: dict[str, list[float]]  # indicator code -> every peer's answer


def world(version: QuestionnaireVersion, manager: Membership, size: int) -> World:
    own = benchmarked(manager.organisation, version, OWN)
    answers = [answers_of(i) for i in range(1, size + 1)]
    for values in answers:
        benchmarked(OrganisationFactory(country="RS"), version, values)
    return World(own, {code: [float(str(a[code])) for a in answers] for code in CODES})


def written_forms(indicator: Indicator, value: float) -> set[str]:
    """Every way the report could write this number."""
    text = value_format(indicator).format(value)
    return {text, text.replace(",", ""), text.removesuffix(" %")}


class Text(HTMLParser):
    """The page's text as a reader (or a screen reader) gets it: text nodes, no attributes, no script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(client: Client, manager: Membership, application: Application) -> str:
    client.force_login(manager.user)
    parser = Text()
    parser.feed(client.get(reverse("benchmarking:detail", args=[application.pk])).content.decode())
    return " ".join(" ".join(parser.parts).split())


def pdf_text(application: Application) -> str:
    stored = benchmarking_pdf_render(application=application)
    return " ".join("\n".join(page.extract_text() for page in PdfReader(stored.pdf.path).pages).split())


def read_off(text: str, version: QuestionnaireVersion, w: World) -> list[tuple[str, str]]:
    """Every peer's answer that can be read in the text."""
    return [
        (code, form)
        for code in CODES
        for answer in w.peer_answers[code]
        for form in written_forms(version.indicators.get(code=code), answer)
        if form in text
    ]


def shown(application: Application) -> list[tuple[str, GroupFigure]]:
    data = benchmarking_report(application)
    return [(row.indicator.code, f) for s in data.sections for row in s.indicators for f in row.figures]


# --- No peer's answer can be read off, in groups at and around the threshold -------------------


@pytest.mark.parametrize("size", SIZES)
def test_no_peers_answer_can_be_read_off_the_page_or_the_pdf(
    client: Client,
    bronze_with_money: QuestionnaireVersion,
    manager: Membership,
    size: int,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = world(bronze_with_money, manager, size)

    page, pdf = page_text(client, manager, w.own), pdf_text(w.own)

    assert read_off(page, bronze_with_money, w) == []
    assert read_off(pdf, bronze_with_money, w) == []
    # The search is not blind: the organisation's own answer is read in both.
    assert ("50 members" in page, "50 members" in pdf) == (True, True)
    # ...and so is each median the rule lets through.
    medians = {f.median_display for _code, f in shown(w.own) if f.summary is not None}
    assert len(medians) == (0 if size < 5 else 4)
    assert [m for m in medians if f"median {m}" not in page or f"median {m}" not in pdf] == []


@pytest.mark.parametrize("size", SIZES)
def test_every_figure_shown_differs_from_every_peers_answer(
    bronze_with_money: QuestionnaireVersion, manager: Membership, size: int
) -> None:
    """The invariant itself, on the figures the page and the PDF are drawn from."""
    w = world(bronze_with_money, manager, size)

    clashes = [
        (code, number)
        for code, f in shown(w.own)
        if f.summary is not None
        for number in (f.summary.q1, f.summary.median, f.summary.q3)
        if number is not None
        for indicator in [bronze_with_money.indicators.get(code=code)]
        if value_format(indicator).format(number) in {value_format(indicator).format(a) for a in w.peer_answers[code]}
    ]

    assert clashes == []


@pytest.mark.parametrize(
    ("size", "median", "quartiles"),
    [(4, False, False), (5, True, False), (6, True, False), (9, True, False), (10, True, True)],
)
def test_the_thresholds_hold_at_their_edges(
    bronze_with_money: QuestionnaireVersion, manager: Membership, size: int, median: bool, quartiles: bool
) -> None:
    w = world(bronze_with_money, manager, size)

    everyone = [f for code, f in shown(w.own) if f.group.key == "all"]

    assert len(everyone) == len(CODES)
    assert {f.summary is not None for f in everyone} == {median}
    assert {f.summary is not None and f.summary.has_quartiles for f in everyone} == {quartiles}
    if not median:
        assert {f.note for f in everyone} == {"Not shown: fewer than 5 peers."}


@pytest.mark.parametrize(("threshold", "size", "expected"), [(6, 5, False), (6, 6, True), (6, 7, True)])
def test_the_threshold_is_the_setting(
    bronze_with_money: QuestionnaireVersion,
    manager: Membership,
    settings: Settings,
    threshold: int,
    size: int,
    expected: bool,
) -> None:
    settings.BENCHMARKING_DISCLOSURE = {**settings.BENCHMARKING_DISCLOSURE, "min_peers": threshold}
    w = world(bronze_with_money, manager, size)

    everyone = [f for _code, f in shown(w.own) if f.group.key == "all"]

    assert {f.summary is not None for f in everyone} == {expected}
    assert {f.note for f in everyone if f.summary is None} <= {f"Not shown: fewer than {threshold} peers."}


@pytest.mark.parametrize(
    "change", [{"min_peers": 2}, {"min_peers_quartiles": 4}, {"money_step": 0}, {"dominance_percent": 101}]
)
def test_a_threshold_below_the_floor_stops_the_start(settings: Settings, change: dict[str, int]) -> None:
    settings.BENCHMARKING_DISCLOSURE = {**settings.BENCHMARKING_DISCLOSURE, **change}

    with pytest.raises(ImproperlyConfigured):
        disclosure_rules()


def test_an_indicator_four_peers_answered_shows_nothing_in_a_group_of_ten(
    bronze_with_money: QuestionnaireVersion, manager: Membership
) -> None:
    w = world(bronze_with_money, manager, 10)
    Answer.objects.filter(indicator__code="S1.2").exclude(application=w.own).exclude(
        application__in=Application.objects.exclude(pk=w.own.pk).order_by("pk")[:4]
    ).delete()

    found = {(code, f.group.key): f for code, f in shown(w.own)}

    assert (found["S1.2", "all"].summary, found["S1.2", "all"].note) == (None, "Not shown: fewer than 5 peers.")
    assert found["S1.1", "all"].summary is not None


# --- No minimum, no maximum --------------------------------------------------------------------


def test_no_minimum_or_maximum_anywhere(
    client: Client, bronze_with_money: QuestionnaireVersion, manager: Membership, settings: Settings, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = world(bronze_with_money, manager, 10)

    page, pdf = page_text(client, manager, w.own), pdf_text(w.own)
    data = benchmarking_report(w.own)
    charts = [row.chart for s in data.sections for row in s.indicators]

    for word in ("Minimum", "Maximum", "minimum", "maximum", "lowest peer", "highest peer"):
        assert (word in page, word in pdf) == (False, False), word
    assert [c.title for c in charts if "Minimum" in c.headers or "Maximum" in c.headers] == []
    assert "Lower quartile" in charts[0].headers  # ten peers: the quartiles are there


# --- Money is rounded --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 10])
def test_money_is_rounded_to_the_step(
    client: Client, bronze_with_money: QuestionnaireVersion, manager: Membership, size: int
) -> None:
    w = world(bronze_with_money, manager, size)

    money = [f.summary for code, f in shown(w.own) if code == "S1.9" and f.summary is not None]
    numbers = [n for s in money for n in (s.q1, s.median, s.q3) if n is not None]

    assert money and numbers
    assert [n for n in numbers if n % 1000] == []
    page = page_text(client, manager, w.own)
    assert [s.median for s in money if f"median {s.median:,.0f}" not in page] == []


def test_the_money_step_is_the_setting(
    bronze_with_money: QuestionnaireVersion, manager: Membership, settings: Settings
) -> None:
    settings.BENCHMARKING_DISCLOSURE = {**settings.BENCHMARKING_DISCLOSURE, "money_step": 25_000}
    w = world(bronze_with_money, manager, 10)

    money = [f.summary for code, f in shown(w.own) if code == "S1.9" and f.summary is not None]

    assert [n for s in money for n in (s.q1, s.median, s.q3) if n is not None and n % 25_000] == []


# --- The median is interpolated, never picked ----------------------------------------------------


def test_an_odd_group_median_is_not_the_middle_peers_answer() -> None:
    """Of 10, 20, 30, 40, 80 the textbook median is 30, the third peer's answer; the rule shows
    the Harrell-Davis estimate 31.7, rounded: 32."""
    rules = disclosure_rules()

    found = disclose([10, 20, 30, 40, 80], rules=rules, written="{:,.0f}".format, step=Decimal(1))

    assert found.figures == Figures(count=5, median=32)


def test_a_figure_that_rounds_onto_a_peers_answer_moves_off_it() -> None:
    """32.3 rounds to 32, which a peer answered: the figure moves to the nearest free value, 33."""
    found = disclose([10, 20, 32, 40, 76.8], rules=disclosure_rules(), written="{:,.0f}".format, step=Decimal(1))

    assert found.figures == Figures(count=5, median=33)


def test_an_answer_given_by_enough_peers_may_be_shown() -> None:
    """Six of ten peers answered 7: showing 7 singles out nobody, like a group of six."""
    found = disclose([7] * 6 + [1, 2, 12, 13], rules=disclosure_rules(), written="{:,.0f}".format, step=Decimal(1))

    assert found.figures is not None and found.figures.median == 7


# --- Dominance ---------------------------------------------------------------------------------


def test_a_median_that_two_peers_decide_is_not_shown() -> None:
    """Two giants among five: their terms make over 85 % of the weighted sum."""
    found = disclose([10, 11, 12, 5000, 9000], rules=disclosure_rules(), written="{:,.0f}".format, step=Decimal(1))

    assert (found.figures, found.note) == (
        None,
        "Not shown: the median would match or hang on single peers' answers.",
    )


def test_the_same_five_without_giants_are_shown() -> None:
    found = disclose([10, 11, 12, 50, 90], rules=disclosure_rules(), written="{:,.0f}".format, step=Decimal(1))

    assert found.figures is not None


# --- Groups that could be subtracted ------------------------------------------------------------


@pytest.mark.parametrize(("others", "country_shown"), [(1, False), (4, False), (5, True)])
def test_a_group_differing_from_another_by_fewer_than_the_threshold_is_withheld(
    bronze_with_money: QuestionnaireVersion, manager: Membership, others: int, country_shown: bool
) -> None:
    """Five Serbian peers and some abroad: with fewer than five abroad, 'all' minus 'Serbia' would
    be the figures of those few."""
    w = world(bronze_with_money, manager, 5)
    for i in range(others):
        benchmarked(OrganisationFactory(country="DE"), bronze_with_money, answers_of(20 + i))

    found = {(code, f.group.key): f for code, f in shown(w.own)}

    assert found["S1.1", "all"].summary is not None
    assert (found["S1.1", "country"].summary is not None) == country_shown
    if not country_shown:
        assert found["S1.1", "country"].note == (
            "Not shown: this group differs from another group shown by fewer than 5 peers."
        )


# --- Steering by editing sectors ----------------------------------------------------------------


def test_submitting_freezes_the_groups_basis(bronze: QuestionnaireVersion, manager: Membership) -> None:
    food = Sector.objects.get(name="Food industry")
    manager.organisation.sectors.set([food])
    draft = Application.objects.create(organisation=manager.organisation, level=Level.BRONZE, version=bronze)

    submitted = application_transition(application=draft, to_state=ApplicationState.SUBMITTED, by=manager.user)

    assert submitted.peer_basis == {"country": manager.organisation.country.code, "sectors": [food.pk]}


def test_editing_sectors_after_submission_does_not_move_the_sector_group(
    bronze_with_money: QuestionnaireVersion, manager: Membership
) -> None:
    food, ict = Sector.objects.get(name="Food industry"), Sector.objects.get(name="ICT")
    manager.organisation.sectors.set([food])
    w = world(bronze_with_money, manager, 5)
    for organisation in ClusterOrganisation.objects.exclude(pk=manager.organisation_id):
        organisation.sectors.add(food)
    # Five ICT peers abroad: editing his sectors to ICT would set the manager against them.
    for i in range(5):
        benchmarked(OrganisationFactory(country="DE"), bronze_with_money, answers_of(30 + i)).organisation.sectors.add(
            ict
        )
    before = {g.key: (g.label, g.members) for g in benchmarking_report(w.own).groups}

    organisation_update(organisation=manager.organisation, by=manager.user, sectors=[ict])
    after = {g.key: (g.label, g.members) for g in benchmarking_report(w.own).groups}

    assert after == before
    assert after["sector"][0] == "Food industry"
