"""The shipped catalogue: loading it where a level has no questionnaire yet, filling its translations into
existing versions, and what of a version is left to translate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import Indicator, Questionnaire, QuestionnaireVersion, Section
from assessments.questionnaires.document import Document, document_check
from assessments.questionnaires.selectors import catalogue_data, version_tree
from assessments.questionnaires.serializers import INDICATOR_TRANSLATED, QUESTIONNAIRE_TRANSLATED, SECTION_TRANSLATED
from assessments.questionnaires.services import questionnaire_for_update, version_create, version_publish
from common.enums import Level


def catalogue_load() -> list[QuestionnaireVersion]:
    """Load and publish the shipped catalogue for every level that has no version yet.

    Idempotent: a level with any version at all (draft, published or retired)
    is left alone, so running it again, or after the label office changed the
    catalogue, changes nothing. Returns the versions it created.

    Side effects: per level loaded, what ``questionnaire_import`` with
    ``status=PUBLISHED`` does; per level left alone, what
    ``catalogue_fill_translations`` does.
    """
    loaded: list[QuestionnaireVersion] = []
    for level in Level:
        if QuestionnaireVersion.objects.filter(questionnaire__level=level).exists():
            catalogue_fill_translations(level)
            continue
        version = _catalogue_publish(document_check(catalogue_data(level)))
        if version is not None:
            loaded.append(version)
    return loaded


def _catalogue_publish(document: Document) -> QuestionnaireVersion | None:
    with transaction.atomic():
        questionnaire = questionnaire_for_update(
            level=document.level, title=document.title, translations=document.translations
        )
        # Checked again under the lock: another process may have loaded it meanwhile.
        if questionnaire.versions.exists():
            return None
        return version_publish(version=version_create(questionnaire=questionnaire, document=document))


def catalogue_fill_translations(level: Level | str) -> int:
    """Give the versions of a level the shipped catalogue's translations where they have none.

    Only texts whose English is exactly the catalogue's receive its
    translation, so a version the label office changed keeps its own words;
    a translation changes no answer, so published versions are filled too.
    Idempotent. Returns how many sections and indicators changed.

    Side effects: saves the ``translations`` of those sections, indicators
    and the questionnaire.
    """
    document = document_check(catalogue_data(level))
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().filter(level=Level(level)).first()
        if questionnaire is None:
            return 0
        questionnaire_for_update(level=document.level, title=document.title, translations=document.translations)
        return _fill_sections(questionnaire, document) + _fill_indicators(questionnaire, document)


def _fill_sections(questionnaire: Questionnaire, document: Document) -> int:
    shipped = {data.fields["code"]: data.fields for data in document.sections}
    changed = 0
    for section in Section.objects.filter(version__questionnaire=questionnaire):
        values = shipped.get(section.code)
        if values and _fill(section, values, ("title", "guidance")):
            section.save(update_fields=["translations"])
            changed += 1
    return changed


def _fill_indicators(questionnaire: Questionnaire, document: Document) -> int:
    shipped = {values["code"]: values for data in document.sections for values in data.indicators}
    changed = 0
    for indicator in Indicator.objects.filter(version__questionnaire=questionnaire):
        values = shipped.get(indicator.code)
        # Choices are translated by their values: other choices, other texts.
        if (
            values
            and indicator.choices == values["choices"]
            and _fill(indicator, values, ("title", "guidance", "unit"))
        ):
            indicator.save(update_fields=["translations"])
            changed += 1
    return changed


def _fill(item: Section | Indicator, shipped: Mapping[str, Any], names: tuple[str, ...]) -> bool:
    if any(getattr(item, name) != shipped[name] for name in names) or not shipped["translations"]:
        return False
    merged = {**shipped["translations"], **(item.translations or {})}
    if merged == item.translations:
        return False
    item.translations = merged
    return True


def missing_translations(version: QuestionnaireVersion, language: str = "sr-latn") -> list[dict[str, str]]:
    """Every text of a version without a translation into ``language``: place, field and the English text.

    Two queries. No side effects.
    """
    missing = _missing(str(_("questionnaire")), version.questionnaire, QUESTIONNAIRE_TRANSLATED, language)
    for section in version_tree(version):
        missing += _missing(section.code, section, SECTION_TRANSLATED, language)
        for indicator in section.indicators.all():
            missing += _missing(indicator.code, indicator, INDICATOR_TRANSLATED, language)
    return missing


def _missing(
    place: str, item: Questionnaire | Section | Indicator, names: tuple[str, ...], language: str
) -> list[dict[str, str]]:
    texts = (item.translations or {}).get(language) or {}
    missing: list[dict[str, str]] = []
    for name in names:
        if name == "choices":
            labels = texts.get("choices") or {}
            missing += [
                {"place": place, "field": f"choice {choice['value']}", "english": choice["label"]}
                for choice in getattr(item, "choices", None) or []
                if not str(labels.get(choice["value"], "")).strip()
            ]
        elif getattr(item, name) and not str(texts.get(name, "")).strip():
            missing.append({"place": place, "field": name, "english": getattr(item, name)})
    return missing
