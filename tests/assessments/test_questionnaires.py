"""Versioned questionnaires: the shipped catalogue, import and export, publishing,
drafts, the editing helpers, the commands, the admin and the preview page."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from assessments.enums import AnswerType, ThresholdKind, VersionStatus
from assessments.models import Indicator, Questionnaire, QuestionnaireVersion, Section
from assessments.questionnaires.catalogue import catalogue_load
from assessments.questionnaires.document import QuestionnaireInvalid, questionnaire_export
from assessments.questionnaires.selectors import catalogue_data, published_version, version_tree
from assessments.questionnaires.services import (
    indicator_update,
    questionnaire_import,
    section_update,
    version_new_draft,
    version_publish,
)
from common.enums import Level
from common.errors import ActionRefused

MARK = "Illustrative indicator: the official ESCA texts are not public."
DOCUMENT_KEYS = {"level", "version", "status", "title", "notes", "sections"}
SECTION_KEYS = {"code", "title", "guidance", "indicators"}
INDICATOR_KEYS = {
    "code",
    "title",
    "guidance",
    "answer_type",
    "unit",
    "min_value",
    "max_value",
    "choices",
    "required",
    "evidence_required",
    "minimum_requirement",
}
SCORING_KEYS = {"max_points", "threshold"}


@pytest.fixture
def catalogue(db: None) -> dict[str, QuestionnaireVersion]:
    catalogue_load()
    return {level: QuestionnaireVersion.objects.get(questionnaire__level=level) for level in Level.values}


def indicators_of(version: QuestionnaireVersion) -> list[Indicator]:
    return [indicator for section in version_tree(version) for indicator in section.indicators.all()]


def without(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


def preview_url(version: QuestionnaireVersion) -> str:
    return f"/assessments/questionnaires/{version.pk}/preview/"


# ---------------------------------------------------------------------------
# The shipped catalogue
# ---------------------------------------------------------------------------


def test_catalogue_load_twice_publishes_one_version_per_level_once(db: None) -> None:
    first = catalogue_load()
    second = catalogue_load()

    assert sorted(version.questionnaire.level for version in first) == ["bronze", "gold", "silver"]
    assert second == []
    assert list(
        QuestionnaireVersion.objects.order_by("questionnaire__level").values_list(
            "questionnaire__level", "number", "status"
        )
    ) == [("bronze", 1, "published"), ("gold", 1, "published"), ("silver", 1, "published")]


def test_catalogue_load_leaves_a_level_with_any_version_alone(db: None) -> None:
    questionnaire = Questionnaire.objects.create(level=Level.BRONZE, title="Our own Bronze")
    QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)

    loaded = catalogue_load()

    assert sorted(version.questionnaire.level for version in loaded) == ["gold", "silver"]
    assert QuestionnaireVersion.objects.filter(questionnaire=questionnaire).count() == 1


def test_catalogue_bronze_has_36_indicators_in_six_groups(catalogue: dict[str, QuestionnaireVersion]) -> None:
    sections = version_tree(catalogue["bronze"])
    indicators = indicators_of(catalogue["bronze"])

    assert [section.code for section in sections] == ["B1", "B2", "B3", "B4", "B5", "B6"]
    assert [section.title for section in sections] == [
        "Structure of the cluster",
        "Cluster management and governance",
        "Financing of the cluster management",
        "Services provided by the cluster management",
        "Contacts and interaction within the cluster",
        "Achievements and recognition",
    ]
    assert [len(section.indicators.all()) for section in sections] == [6] * 6
    assert len(indicators) == 36
    assert {indicator.answer_type for indicator in indicators} == set(AnswerType.values)
    assert len([i for i in indicators if i.answer_type == AnswerType.FILE and i.evidence_required]) >= 2
    assert [i.code for i in indicators if i.answer_type in ("single_choice", "multiple_choice") and not i.choices] == []


def test_catalogue_gold_scores_each_of_its_31_indicators(catalogue: dict[str, QuestionnaireVersion]) -> None:
    sections = version_tree(catalogue["gold"])
    indicators = indicators_of(catalogue["gold"])

    assert [section.code for section in sections] == ["G1", "G2", "G3", "G4", "G5"]
    assert len(indicators) == 31
    assert [i.code for i in indicators if not i.max_points or i.threshold.get("kind") not in ThresholdKind.values] == []
    assert sum(indicator.max_points or 0 for indicator in indicators) == 100
    assert 4 <= len([i for i in indicators if i.minimum_requirement]) <= 6
    assert {i.threshold["kind"] for i in indicators} == set(ThresholdKind.values)


def test_catalogue_silver_has_three_improvement_areas_and_minimum_requirements(
    catalogue: dict[str, QuestionnaireVersion],
) -> None:
    sections = version_tree(catalogue["silver"])
    bronze_codes = [indicator.code for indicator in indicators_of(catalogue["bronze"])]

    assert [section.code for section in sections] == ["S1", "S2", "S3", "S4"]
    for area in sections[:3]:
        indicators = list(area.indicators.all())
        assert [i.answer_type for i in indicators] == ["text", "multiple_choice", "text", "text", "file"]
        assert [choice["value"] for choice in indicators[1].choices] == bronze_codes
        assert indicators[4].evidence_required is True
    baseline = list(sections[3].indicators.all())
    assert len(baseline) == 6
    assert {(i.answer_type, i.minimum_requirement) for i in baseline} == {("yes_no", True)}


def test_catalogue_texts_are_marked_illustrative(catalogue: dict[str, QuestionnaireVersion]) -> None:
    unmarked = [
        indicator.code
        for version in catalogue.values()
        for indicator in indicators_of(version)
        if MARK not in indicator.guidance
    ]

    assert unmarked == []


@pytest.mark.parametrize("level", Level.values)
def test_catalogue_export_equals_the_shipped_file(catalogue: dict[str, QuestionnaireVersion], level: str) -> None:
    assert questionnaire_export(catalogue[level]) == catalogue_data(level)


# ---------------------------------------------------------------------------
# Export and import
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("level", Level.values)
def test_export_import_round_trip_is_equal(catalogue: dict[str, QuestionnaireVersion], level: str) -> None:
    exported = questionnaire_export(catalogue[level])

    imported = questionnaire_import(data=exported)

    assert (imported.number, imported.status) == (2, VersionStatus.DRAFT)
    assert without(questionnaire_export(imported), "version", "status") == without(exported, "version", "status")


def test_export_has_the_required_keys(catalogue: dict[str, QuestionnaireVersion]) -> None:
    bronze = questionnaire_export(catalogue["bronze"])
    gold = questionnaire_export(catalogue["gold"])

    # Translations are exported where there are some: every shipped catalogue has them.
    assert set(bronze) == DOCUMENT_KEYS | {"translations"}
    assert set(bronze["sections"][0]) == SECTION_KEYS | {"translations"}
    assert set(bronze["sections"][0]["indicators"][0]) == INDICATOR_KEYS | {"translations"}
    assert set(gold["sections"][0]["indicators"][0]) == INDICATOR_KEYS | SCORING_KEYS | {"translations"}


def test_import_never_changes_an_existing_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    before = questionnaire_export(catalogue["gold"])
    document = catalogue_data(Level.GOLD)
    document["sections"][0]["indicators"][0]["title"] = "Committed members, counted at year end"

    imported = questionnaire_import(data=document)

    assert questionnaire_export(catalogue["gold"]) == before
    assert imported.indicators.get(code="G1.1").title == "Committed members, counted at year end"
    assert published_version(Level.GOLD) == catalogue["gold"]


def test_import_creates_the_questionnaire_of_a_new_level(db: None) -> None:
    version = questionnaire_import(data=catalogue_data(Level.SILVER))

    assert (version.questionnaire.level, version.questionnaire.title, version.number, version.status) == (
        "silver",
        "Silver improvement report (illustrative)",
        1,
        "draft",
    )


def test_import_published_retires_the_previous_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    version = questionnaire_import(data=catalogue_data(Level.BRONZE), status=VersionStatus.PUBLISHED)

    catalogue["bronze"].refresh_from_db()
    assert (catalogue["bronze"].status, version.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)


def _indicator(document: dict[str, Any], section: int, indicator: int) -> dict[str, Any]:
    found: dict[str, Any] = document["sections"][section]["indicators"][indicator]
    return found


INVALID: list[tuple[str, str, Callable[[dict[str, Any]], object], list[str]]] = [
    (
        "unknown level",
        Level.BRONZE,
        lambda d: d.update(level="platinum"),
        ["questionnaire, level: unknown level 'platinum'; expected one of bronze, silver, gold"],
    ),
    (
        "no sections",
        Level.BRONZE,
        lambda d: d.update(sections=[]),
        ["questionnaire, sections: must be a non-empty list of sections"],
    ),
    (
        "unknown answer type",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 0).update(answer_type="numbr"),
        [
            "section B1, indicator B1.1, answer_type: unknown answer type 'numbr'; expected one of integer, "
            "decimal, percentage, yes_no, single_choice, multiple_choice, text, date, file"
        ],
    ),
    (
        "duplicate indicator code",
        Level.BRONZE,
        lambda d: _indicator(d, 1, 0).update(code="B1.1"),
        ["section B2, indicator B1.1, code: duplicate indicator code 'B1.1' (also in section B1)"],
    ),
    (
        "duplicate section code",
        Level.BRONZE,
        lambda d: d["sections"][1].update(code="B1"),
        ["section B1, code: duplicate section code 'B1' (also section #1)"],
    ),
    (
        "choice answer without choices",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 5).update(choices=[]),
        ["section B1, indicator B1.6, choices: a single_choice answer needs at least two choices"],
    ),
    (
        "choices on a number",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 0).update(choices=[{"value": "a", "label": "A"}]),
        [
            "section B1, indicator B1.1, choices: "
            "only single_choice and multiple_choice answers have choices, not integer"
        ],
    ),
    (
        "min above max",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 0).update(min_value=10, max_value=5),
        ["section B1, indicator B1.1, min_value: must not be greater than max_value (10 > 5)"],
    ),
    (
        "bounds on text",
        Level.BRONZE,
        lambda d: _indicator(d, 1, 5).update(max_value=5),
        ["section B2, indicator B2.6, max_value: only integer, decimal and percentage answers have bounds, not text"],
    ),
    (
        "misspelt field",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 0).update(minimum_requirment=True),
        ["section B1, indicator B1.1, minimum_requirment: unknown field"],
    ),
    (
        "missing title",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 0).pop("title"),
        ["section B1, indicator B1.1, title: is missing"],
    ),
    (
        "flag as text",
        Level.BRONZE,
        lambda d: _indicator(d, 0, 0).update(required="yes"),
        ["section B1, indicator B1.1, required: must be true or false, not 'yes'"],
    ),
    (
        "empty section",
        Level.BRONZE,
        lambda d: d["sections"][0].update(indicators=[]),
        ["section B1, indicators: must be a non-empty list of indicators"],
    ),
    (
        "gold indicator without points",
        Level.GOLD,
        lambda d: _indicator(d, 0, 1).pop("max_points"),
        ["section G1, indicator G1.2, max_points: is missing: every Gold indicator scores points"],
    ),
    (
        "gold indicator without threshold",
        Level.GOLD,
        lambda d: _indicator(d, 0, 1).pop("threshold"),
        ["section G1, indicator G1.2, threshold: is missing: every Gold indicator is scored against a threshold"],
    ),
    (
        "unknown threshold kind",
        Level.GOLD,
        lambda d: _indicator(d, 0, 0).update(threshold={"kind": "more_than", "value": 3}),
        [
            "section G1, indicator G1.1, threshold.kind: unknown threshold kind 'more_than'; "
            "expected one of at_least, at_most, yes, choice_in, answered"
        ],
    ),
    (
        "threshold without value",
        Level.GOLD,
        lambda d: _indicator(d, 0, 0).update(threshold={"kind": "at_least"}),
        ["section G1, indicator G1.1, threshold.value: is missing: an at_least threshold needs a number"],
    ),
    (
        "threshold of the wrong kind",
        Level.GOLD,
        lambda d: _indicator(d, 0, 0).update(threshold={"kind": "yes"}),
        ["section G1, indicator G1.1, threshold.kind: yes needs a yes_no answer, not integer"],
    ),
    (
        "threshold beyond the bounds",
        Level.GOLD,
        lambda d: _indicator(d, 0, 2).update(threshold={"kind": "at_least", "value": 150}),
        ["section G1, indicator G1.3, threshold.value: can never be met: at least 150 but max_value is 100"],
    ),
    (
        "threshold choice not offered",
        Level.GOLD,
        lambda d: _indicator(d, 1, 1).update(threshold={"kind": "choice_in", "choices": ["board"]}),
        ["section G2, indicator G2.2, threshold.choices: not among the indicator's choices: board"],
    ),
]


@pytest.mark.parametrize(("level", "mutate", "problems"), [case[1:] for case in INVALID], ids=[c[0] for c in INVALID])
def test_import_refuses_an_invalid_file_naming_the_place(
    db: None, level: str, mutate: Callable[[dict[str, Any]], object], problems: list[str]
) -> None:
    document = catalogue_data(level)
    mutate(document)

    with pytest.raises(QuestionnaireInvalid) as refused:
        questionnaire_import(data=document)

    assert refused.value.problems == problems
    assert QuestionnaireVersion.objects.count() == 0


def test_import_lists_every_problem_at_once(db: None) -> None:
    document = catalogue_data(Level.GOLD)
    _indicator(document, 0, 0).update(answer_type="numbr")
    _indicator(document, 4, 0).pop("max_points")

    with pytest.raises(QuestionnaireInvalid) as refused:
        questionnaire_import(data=document)

    assert [problem.split(":")[0] for problem in refused.value.problems] == [
        "section G1, indicator G1.1, answer_type",
        "section G5, indicator G5.1, max_points",
    ]


def test_import_refuses_a_document_that_is_not_an_object(db: None) -> None:
    with pytest.raises(QuestionnaireInvalid) as refused:
        questionnaire_import(data=[1, 2])  # type: ignore[arg-type]

    assert refused.value.problems == ["questionnaire: must be a JSON object, not list"]


# Where a document's texts go: (model, field, the text's place in the Bronze document, its place in messages).
TEXT_COLUMNS = [
    (Questionnaire, "title", lambda d: d, "questionnaire, title"),
    (Section, "title", lambda d: d["sections"][0], "section B1, title"),
    (Indicator, "title", lambda d: _indicator(d, 0, 0), "section B1, indicator B1.1, title"),
    (Indicator, "unit", lambda d: _indicator(d, 0, 0), "section B1, indicator B1.1, unit"),
]


@pytest.mark.parametrize(
    ("model", "name", "where", "place"), TEXT_COLUMNS, ids=[f"{c[0].__name__}.{c[1]}" for c in TEXT_COLUMNS]
)
def test_import_holds_texts_to_the_models_max_length(
    db: None, model: type[Any], name: str, where: Callable[[dict[str, Any]], dict[str, Any]], place: str
) -> None:
    limit = model._meta.get_field(name).max_length
    document = catalogue_data(Level.BRONZE)
    where(document)[name] = "x" * limit
    fits = questionnaire_import(data=document)
    where(document)[name] = "x" * (limit + 1)

    with pytest.raises(QuestionnaireInvalid) as refused:
        questionnaire_import(data=document)

    assert fits.number == 1
    assert refused.value.problems == [f"{place}: is {limit + 1} characters long; at most {limit}"]


# ---------------------------------------------------------------------------
# Publishing, drafts and editing
# ---------------------------------------------------------------------------


def test_version_publish_retires_the_previous_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    previous = catalogue["bronze"]
    draft = version_new_draft(from_version=previous)

    version_publish(version=draft)

    previous.refresh_from_db()
    draft.refresh_from_db()
    assert (previous.status, draft.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    assert draft.published_at is not None
    assert published_version(Level.BRONZE) == draft


def test_version_publish_refuses_a_version_that_is_not_a_draft(catalogue: dict[str, QuestionnaireVersion]) -> None:
    with pytest.raises(ActionRefused) as refused:
        version_publish(version=catalogue["silver"])

    assert str(refused.value) == "Only a draft can be published: version 1 is published."


def test_version_publish_refuses_a_version_without_indicators(catalogue: dict[str, QuestionnaireVersion]) -> None:
    empty = QuestionnaireVersion.objects.create(questionnaire=catalogue["gold"].questionnaire, number=2)

    with pytest.raises(ActionRefused) as refused:
        version_publish(version=empty)

    assert str(refused.value) == "Version 2 has no indicators: add some before publishing."
    assert published_version(Level.GOLD) == catalogue["gold"]


def test_version_publish_refuses_a_draft_broken_after_import(catalogue: dict[str, QuestionnaireVersion]) -> None:
    draft = version_new_draft(from_version=catalogue["gold"])
    # Written behind the services' back, as a careless data fix would.
    Indicator.objects.filter(version=draft, code="G3.2").update(max_points=None)

    with pytest.raises(QuestionnaireInvalid) as refused:
        version_publish(version=draft)

    assert refused.value.problems == [
        "section G3, indicator G3.2, max_points: is missing: every Gold indicator scores points"
    ]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_version_new_draft_copies_everything_and_leaves_the_source_unchanged(
    catalogue: dict[str, QuestionnaireVersion],
) -> None:
    source = catalogue["gold"]
    before = questionnaire_export(source)

    draft = version_new_draft(from_version=source)

    assert (draft.number, draft.status, draft.notes) == (2, VersionStatus.DRAFT, "Draft made from version 1.")
    assert without(questionnaire_export(draft), "version", "status", "notes") == without(
        before, "version", "status", "notes"
    )
    assert questionnaire_export(source) == before
    assert set(Indicator.objects.filter(version=draft).values_list("section__version", flat=True)) == {draft.pk}


def test_version_new_draft_does_not_share_json_with_the_source(catalogue: dict[str, QuestionnaireVersion]) -> None:
    source = catalogue["gold"]
    draft = version_new_draft(from_version=source)
    indicator = draft.indicators.get(code="G2.2")

    indicator_update(indicator=indicator, threshold={"kind": "choice_in", "choices": ["elected_board"]})

    assert source.indicators.get(code="G2.2").threshold == {
        "kind": "choice_in",
        "choices": ["elected_board", "steering_committee"],
    }


def test_indicator_update_refuses_a_published_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    indicator = catalogue["bronze"].indicators.get(code="B1.1")

    with pytest.raises(ActionRefused) as refused:
        indicator_update(indicator=indicator, title="Members")

    assert str(refused.value) == "A published version never changes: make a new draft."
    indicator.refresh_from_db()
    assert indicator.title == "Total number of committed members"


def test_section_update_refuses_a_published_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    section = catalogue["bronze"].sections.get(code="B1")

    with pytest.raises(ActionRefused) as refused:
        section_update(section=section, title="Structure")

    assert str(refused.value) == "A published version never changes: make a new draft."


def test_indicator_update_changes_a_draft(catalogue: dict[str, QuestionnaireVersion]) -> None:
    draft = version_new_draft(from_version=catalogue["gold"])
    indicator = draft.indicators.get(code="G1.1")

    indicator_update(indicator=indicator, threshold={"kind": "at_least", "value": 20}, position=9)

    indicator.refresh_from_db()
    assert (indicator.threshold, indicator.position) == ({"kind": "at_least", "value": 20}, 9)


def test_indicator_update_refuses_a_value_that_breaks_a_rule(catalogue: dict[str, QuestionnaireVersion]) -> None:
    draft = version_new_draft(from_version=catalogue["bronze"])
    indicator = draft.indicators.get(code="B1.1")

    with pytest.raises(QuestionnaireInvalid) as refused:
        indicator_update(indicator=indicator, code="B1.2")

    assert refused.value.problems == ["indicator B1.1, code: duplicate indicator code 'B1.2' in this version"]


def test_section_update_changes_a_draft(catalogue: dict[str, QuestionnaireVersion]) -> None:
    draft = version_new_draft(from_version=catalogue["bronze"])
    section = draft.sections.get(code="B1")

    section_update(section=section, title="Structure and members")

    section.refresh_from_db()
    assert section.title == "Structure and members"


def test_version_tree_costs_two_queries(
    catalogue: dict[str, QuestionnaireVersion], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        codes = [(s.code, [i.code for i in s.indicators.all()]) for s in version_tree(catalogue["silver"])]

    assert codes[3] == ("S4", ["S4.1", "S4.2", "S4.3", "S4.4", "S4.5", "S4.6"])


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


def test_load_questionnaires_command_says_what_it_did(db: None) -> None:
    first, second = StringIO(), StringIO()

    call_command("load_questionnaires", stdout=first)
    call_command("load_questionnaires", stdout=second)

    assert first.getvalue().splitlines() == [
        "Bronze: loaded and published version 1 (6 sections, 36 indicators).",
        "Silver: loaded and published version 1 (4 sections, 21 indicators).",
        "Gold: loaded and published version 1 (5 sections, 31 indicators).",
        "3 questionnaire(s) loaded.",
    ]
    assert second.getvalue() == "Nothing to do: every level already has a questionnaire version.\n"


def test_export_questionnaire_command_prints_the_published_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    version_new_draft(from_version=catalogue["gold"])
    out = StringIO()

    call_command("export_questionnaire", "gold", stdout=out)

    data = json.loads(out.getvalue())
    assert set(data) == DOCUMENT_KEYS | {"translations"}
    assert (data["level"], data["version"], data["status"]) == ("gold", 1, "published")
    assert set(data["sections"][0]) == SECTION_KEYS | {"translations"}
    assert set(data["sections"][0]["indicators"][0]) == INDICATOR_KEYS | SCORING_KEYS | {"translations"}


def test_export_questionnaire_command_prints_a_chosen_version(catalogue: dict[str, QuestionnaireVersion]) -> None:
    version_new_draft(from_version=catalogue["bronze"])
    out = StringIO()

    call_command("export_questionnaire", "bronze", "--version", "2", stdout=out)

    assert (json.loads(out.getvalue())["version"], json.loads(out.getvalue())["status"]) == (2, "draft")


def test_export_questionnaire_command_refuses_a_missing_version(db: None) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("export_questionnaire", "silver", stdout=StringIO())

    assert str(refused.value) == "The silver questionnaire has no version yet. Run load_questionnaires first?"


def test_export_questionnaire_command_refuses_an_unknown_version_number(
    catalogue: dict[str, QuestionnaireVersion],
) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("export_questionnaire", "silver", "--version", "7", stdout=StringIO())

    assert str(refused.value) == "The silver questionnaire has no version 7."


def test_import_questionnaire_command_makes_a_draft(catalogue: dict[str, QuestionnaireVersion], tmp_path: Path) -> None:
    path = tmp_path / "bronze.json"
    path.write_text(json.dumps(questionnaire_export(catalogue["bronze"])), encoding="utf-8")
    out = StringIO()

    call_command("import_questionnaire", str(path), stdout=out)

    assert out.getvalue() == "Bronze: imported as draft version 2 (6 sections, 36 indicators).\n"
    assert published_version(Level.BRONZE) == catalogue["bronze"]


def test_import_questionnaire_command_refuses_an_invalid_file(db: None, tmp_path: Path) -> None:
    document = catalogue_data(Level.GOLD)
    _indicator(document, 0, 0).update(threshold={"kind": "at_least"})
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("import_questionnaire", str(path), stdout=StringIO())

    assert str(refused.value) == (
        f"{path} was not imported:\n"
        "section G1, indicator G1.1, threshold.value: is missing: an at_least threshold needs a number"
    )
    assert QuestionnaireVersion.objects.count() == 0


def test_import_questionnaire_command_refuses_a_file_that_is_not_json(db: None, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"level": "bronze",', encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("import_questionnaire", str(path), stdout=StringIO())

    assert (
        str(refused.value)
        == f"{path} is not valid JSON: Expecting property name enclosed in double quotes (line 1, column 20)"
    )


# ---------------------------------------------------------------------------
# Preview page
# ---------------------------------------------------------------------------


def test_questionnaire_preview_shows_the_version_to_the_office(
    client: Client, people: dict[str, User], catalogue: dict[str, QuestionnaireVersion]
) -> None:
    client.force_login(people["office"])

    response = client.get(preview_url(catalogue["gold"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="indicator"') == 31
    assert html.count('data-testid="threshold"') == 31
    assert "Met with at least 15 members." in html
    assert "Met with at least 0.5 FTE." in html
    assert "Met with one of: Board elected by the members; Steering committee with member representatives." in html


def test_questionnaire_preview_renders_every_answer_type_disabled(
    client: Client, people: dict[str, User], catalogue: dict[str, QuestionnaireVersion]
) -> None:
    client.force_login(people["office"])

    html = client.get(preview_url(catalogue["bronze"])).content.decode()

    for snippet in ('type="number" step="1" min="0" max="100000" disabled', 'type="date"', 'type="file"', "<textarea"):
        assert snippet in html, snippet
    assert html.count('type="checkbox"') == 9 + 5
    assert html.count("evidence required</span>") == 3


@pytest.mark.parametrize("role", ["committee", "policy", "assessor", "manager", "partner", "outsider"])
def test_questionnaire_preview_refuses_other_roles(
    client: Client, people: dict[str, User], catalogue: dict[str, QuestionnaireVersion], role: str
) -> None:
    client.force_login(people[role])

    response = client.get(preview_url(catalogue["bronze"]))

    assert response.status_code == 403


def test_questionnaire_preview_sends_anonymous_to_login(
    client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    response = client.get(preview_url(catalogue["bronze"]))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={preview_url(catalogue['bronze'])}"


def test_questionnaire_preview_of_an_unknown_version_is_404(client: Client, people: dict[str, User]) -> None:
    client.force_login(people["office"])

    assert client.get("/assessments/questionnaires/999999/preview/").status_code == 404


def test_questionnaire_preview_queries_do_not_grow_with_the_questionnaire(
    client: Client, people: dict[str, User], catalogue: dict[str, QuestionnaireVersion]
) -> None:
    client.force_login(people["office"])
    client.get(preview_url(catalogue["silver"]))  # warm the session and the role cache

    counts = []
    for level in ("silver", "bronze"):  # 21 and 36 indicators
        with CaptureQueriesContext(connection) as queries:
            client.get(preview_url(catalogue[level]))
        counts.append(len(queries))

    assert counts[0] == counts[1]


# ---------------------------------------------------------------------------
# Admin
# ---------------------------------------------------------------------------


def test_admin_publish_action_publishes_and_retires(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    draft = version_new_draft(from_version=catalogue["bronze"])

    response = admin_client.post(
        "/admin/assessments/questionnaireversion/", {"action": "publish", "_selected_action": [draft.pk]}
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    catalogue["bronze"].refresh_from_db()
    assert (draft.status, catalogue["bronze"].status) == (VersionStatus.PUBLISHED, VersionStatus.RETIRED)


def test_admin_new_draft_action_copies_the_version(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    response = admin_client.post(
        "/admin/assessments/questionnaireversion/", {"action": "new_draft", "_selected_action": [catalogue["gold"].pk]}
    )

    assert response.status_code == 302
    draft = QuestionnaireVersion.objects.get(questionnaire__level=Level.GOLD, number=2)
    assert (draft.status, draft.indicators.count()) == (VersionStatus.DRAFT, 31)


def test_admin_refuses_to_change_a_published_version(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    version = catalogue["silver"]
    indicator = version.indicators.get(code="S4.1")
    section = version.sections.get(code="S4")

    responses = [
        admin_client.post(f"/admin/assessments/questionnaireversion/{version.pk}/change/", {"notes": "changed"}),
        admin_client.post(f"/admin/assessments/section/{section.pk}/change/", {"title": "changed"}),
        admin_client.post(f"/admin/assessments/indicator/{indicator.pk}/change/", {"title": "changed"}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    indicator.refresh_from_db()
    assert indicator.title == "The cluster management team works at least 0.5 full-time equivalents"


def test_admin_shows_a_published_version_read_only(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    response = admin_client.get(f"/admin/assessments/questionnaireversion/{catalogue['bronze'].pk}/change/")

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


def _indicator_form(indicator: Indicator, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "section": indicator.section_id,
        "position": indicator.position,
        "code": indicator.code,
        "title": indicator.title,
        "guidance": indicator.guidance,
        "answer_type": indicator.answer_type,
        "unit": indicator.unit,
        "min_value": "" if indicator.min_value is None else str(indicator.min_value),
        "max_value": "" if indicator.max_value is None else str(indicator.max_value),
        "choices": json.dumps(indicator.choices),
        "max_points": "" if indicator.max_points is None else indicator.max_points,
        "threshold": json.dumps(indicator.threshold),
    }
    for flag in ("required", "evidence_required", "minimum_requirement"):
        if getattr(indicator, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def test_admin_indicator_form_applies_the_import_rules(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    draft = version_new_draft(from_version=catalogue["gold"])
    indicator = draft.indicators.get(code="G1.1")

    response = admin_client.post(
        f"/admin/assessments/indicator/{indicator.pk}/change/", _indicator_form(indicator, max_points="")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "max_points": ["is missing: every Gold indicator scores points"]
    }


def test_admin_indicator_form_saves_a_draft_indicator(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    draft = version_new_draft(from_version=catalogue["gold"])
    indicator = draft.indicators.get(code="G1.1")

    response = admin_client.post(
        f"/admin/assessments/indicator/{indicator.pk}/change/",
        _indicator_form(indicator, threshold=json.dumps({"kind": "at_least", "value": 20})),
    )

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.threshold, indicator.version_id) == ({"kind": "at_least", "value": 20}, draft.pk)


def test_admin_section_page_lists_indicators_in_position_order(
    admin_client: Client, catalogue: dict[str, QuestionnaireVersion]
) -> None:
    section = Section.objects.get(version=catalogue["bronze"], code="B2")

    response = admin_client.get(f"/admin/assessments/section/{section.pk}/change/")

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.code for form in formset.forms] == ["B2.1", "B2.2", "B2.3", "B2.4", "B2.5", "B2.6"]
