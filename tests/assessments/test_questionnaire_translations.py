"""Questionnaire texts in the reader's language: Serbian Latin by hand,
Cyrillic by transliteration, English where a translation is missing."""

from __future__ import annotations

import copy

import pytest
from django.test import Client
from django.utils import translation

from accounts.enums import StaffRole
from assessments.models import Indicator, QuestionnaireVersion, Section
from assessments.questionnaires.catalogue import catalogue_fill_translations, catalogue_load, missing_translations
from assessments.questionnaires.document import QuestionnaireInvalid, questionnaire_export
from assessments.questionnaires.selectors import catalogue_data
from assessments.questionnaires.services import questionnaire_import, version_new_draft
from common.enums import Level
from tests.factories import RoleGrantFactory


@pytest.fixture
def bronze(db: None) -> QuestionnaireVersion:
    catalogue_load()
    return QuestionnaireVersion.objects.get(questionnaire__level=Level.BRONZE)


def test_indicator_speaks_the_active_language(bronze: QuestionnaireVersion) -> None:
    indicator = Indicator.objects.get(version=bronze, code="B1.6")
    with translation.override("en"):
        english = (indicator.tr_title, indicator.tr_choices[0]["label"])
    with translation.override("sr-latn"):
        latin = (indicator.tr_title, indicator.tr_choices[0]["label"], indicator.tr_choices[0]["value"])
    with translation.override("sr"):
        cyrillic = (indicator.tr_title, indicator.tr_choices[0]["label"])
    assert english == ("Geographic reach of the membership", "Local (one city or district)")
    assert latin == ("Geografski obuhvat članstva", "Lokalni (jedan grad ili okrug)", "local")
    assert cyrillic == ("Географски обухват чланства", "Локални (један град или округ)")


def test_missing_translation_falls_back_to_english(bronze: QuestionnaireVersion) -> None:
    section = Section.objects.get(version=bronze, code="B1")
    section.translations = {"sr-latn": {"title": "Struktura klastera"}}
    section.save()
    with translation.override("sr"):
        assert (section.tr_title, section.tr_guidance) == ("Структура кластера", section.guidance)


def test_shipped_bronze_catalogue_is_completely_translated(bronze: QuestionnaireVersion) -> None:
    assert missing_translations(bronze) == []


@pytest.mark.parametrize("level", [Level.SILVER, Level.GOLD])
def test_shipped_silver_and_gold_catalogues_are_completely_translated(db: None, level: Level) -> None:
    catalogue_load()

    version = QuestionnaireVersion.objects.get(questionnaire__level=level)

    assert missing_translations(version) == []


def test_missing_translations_name_place_field_and_english(bronze: QuestionnaireVersion) -> None:
    draft = version_new_draft(from_version=bronze)
    indicator = Indicator.objects.get(version=draft, code="B2.2")
    indicator.translations = {"sr-latn": {"title": "Vrsta upravnog tela"}}
    indicator.save()

    missing = missing_translations(draft)

    assert missing[0] == {"place": "B2.2", "field": "guidance", "english": indicator.guidance}
    assert [row["field"] for row in missing] == ["guidance", "choice elected_board", "choice steering_committee",
                                                 "choice advisory_board", "choice none"]  # fmt: skip


def test_translations_travel_with_export_import_and_new_drafts(bronze: QuestionnaireVersion) -> None:
    document = questionnaire_export(bronze)
    assert document == catalogue_data(Level.BRONZE)
    imported = questionnaire_import(data=document)
    draft = version_new_draft(from_version=bronze)
    for version in (imported, draft):
        assert questionnaire_export(version)["sections"] == document["sections"]


def test_import_refuses_cyrillic_and_unknown_choices(bronze: QuestionnaireVersion) -> None:
    document = copy.deepcopy(catalogue_data(Level.BRONZE))
    indicator = document["sections"][0]["indicators"][5]
    indicator["translations"] = {"sr": {"title": "x"}, "sr-latn": {"choices": {"galactic": "x"}}}
    with pytest.raises(QuestionnaireInvalid) as refusal:
        questionnaire_import(data=document)
    assert [field for _place, field, _message in refusal.value.details] == [
        "translations.sr",
        "translations.sr-latn.choices",
    ]


def test_an_existing_version_receives_the_shipped_translations(bronze: QuestionnaireVersion) -> None:
    Section.objects.filter(version=bronze).update(translations={})
    Indicator.objects.filter(version=bronze).update(translations={})
    changed_indicator = Indicator.objects.get(version=bronze, code="B1.1")
    changed_indicator.title = "The office's own words"
    changed_indicator.save()

    assert catalogue_fill_translations(Level.BRONZE) == 6 + 35
    assert catalogue_fill_translations(Level.BRONZE) == 0
    changed_indicator.refresh_from_db()
    assert changed_indicator.translations == {}
    assert [row["place"] for row in missing_translations(bronze)] == ["B1.1", "B1.1", "B1.1"]


def test_office_sees_the_missing_translations(client: Client, bronze: QuestionnaireVersion) -> None:
    gold = QuestionnaireVersion.objects.get(questionnaire__level=Level.GOLD)
    Section.objects.filter(version=gold, code="G1").update(translations={})  # the shipped Gold is complete too
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)

    complete = client.get(f"/assessments/questionnaires/{bronze.pk}/translations/")
    incomplete = client.get(f"/assessments/questionnaires/{gold.pk}/translations/")

    assert (complete.status_code, incomplete.status_code) == (200, 200)
    assert 'data-testid="missing-sr-latn">complete' in complete.content.decode()
    assert len(incomplete.context["report"][0]["missing"]) == len(missing_translations(gold)) == 2


def test_translations_page_is_for_the_office_only(client: Client, bronze: QuestionnaireVersion) -> None:
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_COMMITTEE).user)
    assert client.get(f"/assessments/questionnaires/{bronze.pk}/translations/").status_code == 403


@pytest.mark.django_db
def test_office_reading_cyrillic_previews_the_questionnaire_in_cyrillic(client: Client) -> None:
    catalogue_load()
    version = QuestionnaireVersion.objects.get(questionnaire__level=Level.BRONZE)
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE, user__preferred_language="sr").user)
    page = client.get(f"/assessments/questionnaires/{version.pk}/preview/").content.decode()
    assert "Укупан број посвећених чланова" in page  # noqa: RUF001
    assert "Lokalni" not in page


def test_translations_page_costs_the_same_queries_for_any_size(client: Client, bronze: QuestionnaireVersion) -> None:
    """Two questionnaires of different sizes: the page's queries do not grow with the indicators."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gold = QuestionnaireVersion.objects.get(questionnaire__level=Level.GOLD)
    sizes = [Indicator.objects.filter(section__version=v).count() for v in (bronze, gold)]
    assert sizes[0] != sizes[1]
    client.force_login(RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user)
    client.get(f"/assessments/questionnaires/{bronze.pk}/translations/")  # warm the session

    counts = []
    for version in (bronze, gold):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/assessments/questionnaires/{version.pk}/translations/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]
