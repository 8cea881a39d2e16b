"""Versioned questionnaires: services (writes) and selectors (reads).

The catalogue is data: one JSON file per level in ``assessments/catalogue/``,
in the same format that ``questionnaire_export`` writes and
``questionnaire_import`` reads. A published version never changes, because
applications keep answering the version they started on; every edit happens
in a draft, which publishing then swaps in for the previous published one.

One rulebook checks every way in (a file, the shipped catalogue, an edit
helper, the admin form, publishing), so a version that was valid on the way in
cannot become invalid on the way out.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.enums import CHOICE_TYPES, NUMERIC_TYPES, AnswerType, ThresholdKind, VersionStatus
from assessments.models import TRANSLATED_LANGUAGES, Indicator, Questionnaire, QuestionnaireVersion, Section
from common.enums import Level
from common.errors import ActionRefused

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

DOCUMENT_KEYS = frozenset({"level", "version", "status", "title", "notes", "sections", "translations"})
SECTION_KEYS = frozenset({"code", "title", "guidance", "indicators", "translations"})
INDICATOR_KEYS = frozenset(
    {
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
        "max_points",
        "threshold",
        "translations",
    }
)
# What each kind of text may carry per language ({"sr-latn": {"title": ...}}).
QUESTIONNAIRE_TRANSLATED = ("title",)
SECTION_TRANSLATED = ("title", "guidance")
INDICATOR_TRANSLATED = ("title", "guidance", "unit", "choices")
THRESHOLD_KEYS = frozenset({"kind", "value", "choices"})

# What the editing helpers accept: the file keys plus the position, which a
# file expresses by order instead.
SECTION_EDITABLE = frozenset({"code", "title", "guidance", "position", "translations"})
INDICATOR_EDITABLE = INDICATOR_KEYS | {"position"}

# Codes appear in URLs (/a/<pk>/s/<code>/) and in Silver's references to
# Bronze indicators: keep them to a safe alphabet.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# The model's limits (max_length, DecimalField(14, 4), PositiveSmallIntegerField),
# checked here so a bad file is refused with a reason instead of failing in the database.
CODE_MAX = 20
SECTION_TITLE_MAX = 200
INDICATOR_TITLE_MAX = 300
QUESTIONNAIRE_TITLE_MAX = 200
UNIT_MAX = 40
CHOICE_VALUE_MAX = 100
NUMBER_LIMIT = Decimal(10) ** 10
NUMBER_PLACES = Decimal("0.0001")
MAX_POINTS_LIMIT = 1000


class QuestionnaireInvalid(ActionRefused, ValueError):
    """A questionnaire (file or edit) breaks a rule. ``problems`` holds one
    line per problem, each naming its place (section, indicator) and field."""

    def __init__(self, problems: list[str], details: list[tuple[str, str | None, str]] | None = None) -> None:
        self.problems = problems
        # (place, field, message) per problem, for forms that show each at its field.
        self.details = details or [(problem, None, "") for problem in problems]
        super().__init__("\n".join(problems))


# ---------------------------------------------------------------------------
# Selectors
# ---------------------------------------------------------------------------


def published_version(level: Level | str) -> QuestionnaireVersion | None:
    """The version new applications of that level answer, if one is published."""
    return (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .filter(questionnaire__level=Level(level), status=VersionStatus.PUBLISHED)
        .first()
    )


def latest_version(level: Level | str) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .filter(questionnaire__level=Level(level))
        .order_by("-number")
        .first()
    )


def version_for(level: Level | str, number: int | None = None) -> QuestionnaireVersion | None:
    """Version ``number`` of a level; without a number the published one, else the latest."""
    if number is not None:
        return (
            QuestionnaireVersion.objects.select_related("questionnaire")
            .filter(questionnaire__level=Level(level), number=number)
            .first()
        )
    return published_version(level) or latest_version(level)


def version_tree(version: QuestionnaireVersion) -> list[Section]:
    """The sections of a version in order, each with its indicators prefetched in order: two queries."""
    return list(
        Section.objects.filter(version=version)
        .order_by("position", "code")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code")))
    )


def catalogue_data(level: Level | str) -> dict[str, Any]:
    """The shipped (illustrative) catalogue of a level, as an import document."""
    path = CATALOGUE_DIR / f"{Level(level).value}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def threshold_text(indicator: Indicator) -> str:
    """When a Gold indicator is met, in words: "Met with at least 15 members"."""
    threshold = indicator.threshold or {}
    kind = threshold.get("kind")
    unit = f" {indicator.tr_unit}" if indicator.unit else ""
    if indicator.answer_type == AnswerType.PERCENTAGE:
        unit = " %"
    if kind == ThresholdKind.AT_LEAST:
        return _("Met with at least %(value)s%(unit)s.") % {"value": plain_number(threshold["value"]), "unit": unit}
    if kind == ThresholdKind.AT_MOST:
        return _("Met with at most %(value)s%(unit)s.") % {"value": plain_number(threshold["value"]), "unit": unit}
    if kind == ThresholdKind.YES:
        return _("Met when answered yes.")
    if kind == ThresholdKind.CHOICE_IN:
        labels = {choice["value"]: choice["label"] for choice in indicator.tr_choices}
        chosen = "; ".join(str(labels.get(value, value)) for value in threshold.get("choices", []))
        return _("Met with one of: %(choices)s.") % {"choices": chosen}
    if kind == ThresholdKind.ANSWERED:
        if indicator.evidence_required or indicator.answer_type == AnswerType.FILE:
            return _("Met when answered with evidence.")
        return _("Met when answered.")
    return ""


def plain_number(value: Decimal | float | int | None) -> str:
    """15 rather than 15.0000 or 1.5E+1; 0.5 rather than 0.5000."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


# ---------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------


def questionnaire_export(version: QuestionnaireVersion) -> dict[str, Any]:
    """A version as a JSON-ready document, in the format ``questionnaire_import`` reads.

    Gold indicators always carry ``max_points`` and ``threshold``; other levels
    carry them only when set, so the shipped Bronze and Silver files stay lean.
    No side effects.
    """
    questionnaire = version.questionnaire
    scored = questionnaire.level == Level.GOLD
    return {
        "level": questionnaire.level,
        "version": version.number,
        "status": version.status,
        "title": questionnaire.title,
        "notes": version.notes,
        **({"translations": copy.deepcopy(questionnaire.translations)} if questionnaire.translations else {}),
        "sections": [
            {
                "code": section.code,
                "title": section.title,
                "guidance": section.guidance,
                **({"translations": copy.deepcopy(section.translations)} if section.translations else {}),
                "indicators": [_indicator_export(indicator, scored=scored) for indicator in section.indicators.all()],
            }
            for section in version_tree(version)
        ],
    }


def questionnaire_import(
    *, data: Mapping[str, Any], status: VersionStatus | str = VersionStatus.DRAFT
) -> QuestionnaireVersion:
    """Create a new version of a level's questionnaire from an export document.

    Everything is checked before anything is written: a bad document raises
    ``QuestionnaireInvalid`` listing every problem by section, indicator and
    field, and nothing changes. The document's ``version`` and ``status`` are
    informative only: the new version is numbered last + 1 and is a draft, or
    is published at once with ``status=PUBLISHED``.

    Side effects: creates the level's Questionnaire if it has none (with the
    document's title; an existing questionnaire keeps its title), one
    QuestionnaireVersion with its sections and indicators; with
    ``status=PUBLISHED``, everything ``version_publish`` does. Never changes
    an existing version (except retiring the published one when publishing).
    """
    status = VersionStatus(status)
    if status == VersionStatus.RETIRED:
        raise ActionRefused(_("A version is imported as a draft or published, never retired."))
    document = _clean_document(data)
    with transaction.atomic():
        questionnaire = _questionnaire_locked(document.level, document.title, document.translations)
        version = _version_create(questionnaire, document)
        if status == VersionStatus.PUBLISHED:
            version = version_publish(version=version)
    logger.info(
        "Imported %s questionnaire version %s (%s).", document.level, version.number, version.get_status_display()
    )
    return version


def catalogue_load() -> list[QuestionnaireVersion]:
    """Load and publish the shipped catalogue for every level that has no version yet.

    Idempotent: a level with any version at all (draft, published or retired)
    is left alone, so running it again, or after the label office changed the
    catalogue, changes nothing. Returns the versions it created.

    Side effects: per level loaded, what ``questionnaire_import`` with
    ``status=PUBLISHED`` does.
    """
    loaded: list[QuestionnaireVersion] = []
    for level in Level:
        if QuestionnaireVersion.objects.filter(questionnaire__level=level).exists():
            catalogue_fill_translations(level)
            continue
        document = _clean_document(catalogue_data(level))
        with transaction.atomic():
            questionnaire = _questionnaire_locked(document.level, document.title, document.translations)
            # Checked again under the lock: another process may have loaded it meanwhile.
            if questionnaire.versions.exists():
                continue
            version = _version_create(questionnaire, document)
            loaded.append(version_publish(version=version))
    return loaded


def catalogue_fill_translations(level: Level | str) -> int:
    """Give the versions of a level the shipped catalogue's translations where they have none.

    Only texts whose English is exactly the catalogue's receive its
    translation, so a version the label office changed keeps its own words;
    a translation changes no answer, so published versions are filled too.
    Idempotent. Returns how many sections and indicators changed.

    Side effects: saves the ``translations`` of those sections, indicators
    and the questionnaire.
    """
    document = _clean_document(catalogue_data(level))
    sections = {data.fields["code"]: data.fields for data in document.sections}
    indicators = {values["code"]: values for data in document.sections for values in data.indicators}
    changed = 0
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().filter(level=Level(level)).first()
        if questionnaire is None:
            return 0
        _questionnaire_locked(document.level, document.title, document.translations)
        for section in Section.objects.filter(version__questionnaire=questionnaire):
            shipped = sections.get(section.code)
            if shipped and _fill(section, shipped, ("title", "guidance")):
                section.save(update_fields=["translations"])
                changed += 1
        for indicator in Indicator.objects.filter(version__questionnaire=questionnaire):
            shipped = indicators.get(indicator.code)
            if (
                shipped
                and indicator.choices == shipped["choices"]
                and _fill(indicator, shipped, ("title", "guidance", "unit"))
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
    missing: list[dict[str, str]] = []

    def check(place: str, item: Any, names: tuple[str, ...]) -> None:
        texts = (item.translations or {}).get(language) or {}
        for name in names:
            if name == "choices":
                labels = texts.get("choices") or {}
                missing.extend(
                    {"place": place, "field": f"choice {choice['value']}", "english": choice["label"]}
                    for choice in item.choices or []
                    if not str(labels.get(choice["value"], "")).strip()
                )
            elif getattr(item, name) and not str(texts.get(name, "")).strip():
                missing.append({"place": place, "field": name, "english": getattr(item, name)})

    check(str(_("questionnaire")), version.questionnaire, QUESTIONNAIRE_TRANSLATED)
    for section in version_tree(version):
        check(section.code, section, SECTION_TRANSLATED)
        for indicator in section.indicators.all():
            check(indicator.code, indicator, INDICATOR_TRANSLATED)
    return missing


def version_publish(*, version: QuestionnaireVersion, by: User | None = None) -> QuestionnaireVersion:
    """Publish a draft; the questionnaire's previously published version becomes retired.

    Refuses (``ActionRefused``) a version that is not a draft, has no
    indicators, or breaks a rule of the catalogue (``QuestionnaireInvalid``,
    e.g. a Gold indicator without points after an edit).

    Side effects: in one transaction, under a lock on the questionnaire row,
    sets the previous published version to retired and this one to published
    with ``published_at``; logs who published (``by``: the models have no
    field for it). Applications keep the version they started on. Updates the
    ``version`` object passed in and returns it.
    """
    with transaction.atomic():
        # Every writer of a questionnaire's versions locks the questionnaire
        # row first: concurrent publishes queue here instead of racing for
        # the one-published-version constraint.
        Questionnaire.objects.select_for_update().get(pk=version.questionnaire_id)
        locked = QuestionnaireVersion.objects.select_for_update().select_related("questionnaire").get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise ActionRefused(
                _("Only a draft can be published: version %(number)s is %(status)s.")
                % {"number": locked.number, "status": locked.get_status_display().lower()}
            )
        if not locked.indicators.exists():
            raise ActionRefused(
                _("Version %(number)s has no indicators: add some before publishing.") % {"number": locked.number}
            )
        _clean_document(questionnaire_export(locked))
        retired = list(
            QuestionnaireVersion.objects.select_for_update()
            .filter(questionnaire_id=locked.questionnaire_id, status=VersionStatus.PUBLISHED)
            .values_list("number", flat=True)
        )
        # Retire first: the one-published-version constraint holds at every statement.
        QuestionnaireVersion.objects.filter(
            questionnaire_id=locked.questionnaire_id, status=VersionStatus.PUBLISHED
        ).update(status=VersionStatus.RETIRED)
        locked.status = VersionStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at"])
    logger.info(
        "%s version %s published by %s; retired: %s.",
        locked.questionnaire,
        locked.number,
        by.email if by is not None else "the system",
        ", ".join(str(number) for number in retired) or "none",
    )
    version.status = locked.status
    version.published_at = locked.published_at
    return version


def version_new_draft(*, from_version: QuestionnaireVersion) -> QuestionnaireVersion:
    """A new draft of the same questionnaire, a deep copy of ``from_version``'s sections and indicators.

    Side effects: creates one QuestionnaireVersion (numbered last + 1, notes
    saying where it came from) with copies of every section and indicator.
    The source version is only read.
    """
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=from_version.questionnaire_id)
        draft = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            number=_next_number(questionnaire),
            status=VersionStatus.DRAFT,
            notes=_("Draft made from version %(number)s.") % {"number": from_version.number},
        )
        copies: list[Indicator] = []
        for section in version_tree(from_version):
            new_section = Section.objects.create(
                version=draft,
                code=section.code,
                title=section.title,
                guidance=section.guidance,
                translations=copy.deepcopy(section.translations),
                position=section.position,
            )
            copies += [
                Indicator(
                    version=draft,
                    section=new_section,
                    position=indicator.position,
                    # deepcopy: the JSON fields (choices, threshold) must not share lists with the source.
                    **{name: copy.deepcopy(getattr(indicator, name)) for name in INDICATOR_KEYS},
                )
                for indicator in section.indicators.all()
            ]
        Indicator.objects.bulk_create(copies)
    logger.info("%s: draft version %s made from version %s.", questionnaire, draft.number, from_version.number)
    return draft


def section_update(*, section: Section, **fields: Any) -> Section:
    """Change a section of a draft version (code, title, guidance, position).

    Refuses with ``ActionRefused`` when the version is not a draft, and with
    ``QuestionnaireInvalid`` when a value breaks a rule (bad or duplicate code,
    empty title ...). Side effects: saves the section.
    """
    _refuse_unknown(fields, SECTION_EDITABLE, "section_update")
    with transaction.atomic():
        version = _draft_locked(section.version_id)
        problems = _Problems()
        place = f"section {section.code}"
        values = {
            "code": section.code,
            "title": section.title,
            "guidance": section.guidance,
            "translations": section.translations,
        } | fields
        cleaned: dict[str, Any] = {
            "code": _clean_code(values.get("code"), place, problems),
            "title": _clean_text(values, "title", place, problems, required=True, max_length=SECTION_TITLE_MAX),
            "guidance": _clean_text(values, "guidance", place, problems),
            "translations": _clean_translations(values, SECTION_TRANSLATED, place, problems),
        }
        if "position" in fields:
            cleaned["position"] = _clean_position(fields["position"], place, problems)
        if (
            cleaned["code"]
            and Section.objects.filter(version=version, code=cleaned["code"]).exclude(pk=section.pk).exists()
        ):
            problems.add(place, "code", f"duplicate section code {cleaned['code']!r} in this version")
        problems.raise_if_any()
        for name, value in cleaned.items():
            setattr(section, name, value)
        section.save(update_fields=list(cleaned))
    return section


def indicator_update(*, indicator: Indicator, **fields: Any) -> Indicator:
    """Change an indicator of a draft version; any field of the export format, and ``position``.

    The indicator as a whole is checked again with the new values (bounds
    against answer type, threshold against choices, Gold points ...).
    Refuses with ``ActionRefused`` when the version is not a draft, and with
    ``QuestionnaireInvalid`` naming the field otherwise. Side effects: saves
    the indicator.
    """
    _refuse_unknown(fields, INDICATOR_EDITABLE, "indicator_update")
    with transaction.atomic():
        version = _draft_locked(indicator.version_id)
        problems = _Problems()
        place = f"indicator {indicator.code}"
        values = {name: getattr(indicator, name) for name in INDICATOR_KEYS} | fields
        values.pop("position", None)
        cleaned = _clean_indicator(values, level=version.questionnaire.level, place=place, problems=problems)
        if "position" in fields:
            cleaned["position"] = _clean_position(fields["position"], place, problems)
        code = cleaned.get("code")
        if code and Indicator.objects.filter(version=version, code=code).exclude(pk=indicator.pk).exists():
            problems.add(place, "code", f"duplicate indicator code {code!r} in this version")
        problems.raise_if_any()
        for name, value in cleaned.items():
            setattr(indicator, name, value)
        indicator.save(update_fields=list(cleaned))
    return indicator


def section_check(*, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a section's code, title and guidance; return them cleaned.

    For forms that edit sections (the admin). Raises ``QuestionnaireInvalid``. No side effects.
    """
    problems = _Problems()
    place = f"section {values.get('code') or '(new)'}"
    cleaned = {
        "code": _clean_code(values.get("code"), place, problems),
        "title": _clean_text(values, "title", place, problems, required=True, max_length=SECTION_TITLE_MAX),
        "guidance": _clean_text(values, "guidance", place, problems),
    }
    if "translations" in values:
        cleaned["translations"] = _clean_translations(values, SECTION_TRANSLATED, place, problems)
    problems.raise_if_any()
    return cleaned


def indicator_check(*, level: Level | str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Check one indicator's values (export format) for a level; return them cleaned.

    For forms that edit indicators (the admin), so they apply the same rules
    as a file import. Raises ``QuestionnaireInvalid``. No side effects.
    """
    problems = _Problems()
    place = f"indicator {values.get('code') or '(new)'}"
    cleaned = _clean_indicator(values, level=Level(level), place=place, problems=problems)
    problems.raise_if_any()
    return cleaned


# ---------------------------------------------------------------------------
# Internals: writing
# ---------------------------------------------------------------------------


def _questionnaire_locked(
    level: str, title: str, translations: dict[str, dict[str, Any]] | None = None
) -> Questionnaire:
    questionnaire, _created = Questionnaire.objects.get_or_create(
        level=level, defaults={"title": title or f"{Level(level).label} questionnaire"}
    )
    locked = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    # The title's translations are the questionnaire's: a document adds the languages it lacks.
    if translations and locked.title == title:
        merged = {**translations, **(locked.translations or {})}
        if merged != locked.translations:
            locked.translations = merged
            locked.save(update_fields=["translations"])
    return locked


def _next_number(questionnaire: Questionnaire) -> int:
    last = questionnaire.versions.aggregate(last=Max("number"))["last"]
    return (last or 0) + 1


def _version_create(questionnaire: Questionnaire, document: _Document) -> QuestionnaireVersion:
    """Write a checked document as a new draft; the caller holds the questionnaire lock."""
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=_next_number(questionnaire),
        status=VersionStatus.DRAFT,
        notes=document.notes,
    )
    indicators: list[Indicator] = []
    for section_position, section_data in enumerate(document.sections, start=1):
        section = Section.objects.create(version=version, position=section_position, **section_data.fields)
        indicators += [
            Indicator(version=version, section=section, position=position, **values)
            for position, values in enumerate(section_data.indicators, start=1)
        ]
    Indicator.objects.bulk_create(indicators)
    return version


def _draft_locked(version_id: int) -> QuestionnaireVersion:
    version = QuestionnaireVersion.objects.select_for_update().select_related("questionnaire").get(pk=version_id)
    if version.status != VersionStatus.DRAFT:
        raise ActionRefused(_("A published version never changes: make a new draft."))
    return version


def _refuse_unknown(fields: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise TypeError(f"{where}() got unexpected fields: {', '.join(unknown)}")


def _indicator_export(indicator: Indicator, *, scored: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": indicator.code,
        "title": indicator.title,
        "guidance": indicator.guidance,
        "answer_type": indicator.answer_type,
        "unit": indicator.unit,
        "min_value": _json_number(indicator.min_value),
        "max_value": _json_number(indicator.max_value),
        "choices": copy.deepcopy(indicator.choices or []),
        "required": indicator.required,
        "evidence_required": indicator.evidence_required,
        "minimum_requirement": indicator.minimum_requirement,
    }
    if indicator.translations:
        item["translations"] = copy.deepcopy(indicator.translations)
    if scored or indicator.max_points is not None or indicator.threshold:
        item["max_points"] = indicator.max_points
        item["threshold"] = copy.deepcopy(indicator.threshold or {})
    return item


def _json_number(value: Decimal | None) -> int | float | None:
    # JSON has no decimal type; the model keeps 4 places, which a float holds exactly enough to round-trip.
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------
# Internals: the rulebook
# ---------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.details: list[tuple[str, str | None, str]] = []

    def add(self, place: str, field_name: str | None, message: str) -> None:
        self.details.append((place, field_name, message))

    def raise_if_any(self) -> None:
        if self.details:
            lines = [
                f"{place}, {name}: {message}" if name else f"{place}: {message}"
                for place, name, message in self.details
            ]
            raise QuestionnaireInvalid(lines, self.details)


@dataclass
class _SectionData:
    fields: dict[str, Any]
    indicators: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Document:
    level: str
    title: str
    notes: str
    sections: list[_SectionData]
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)


def _label(raw: Any, index: int) -> str:
    """How a place is named in messages: its code when it has one, else its position."""
    code = raw.get("code") if isinstance(raw, Mapping) else None
    return code.strip()[:CODE_MAX] if isinstance(code, str) and code.strip() else f"#{index}"


def _clean_document(data: Any) -> _Document:
    problems = _Problems()
    top = "questionnaire"
    if not isinstance(data, Mapping):
        raise QuestionnaireInvalid([f"{top}: must be a JSON object, not {type(data).__name__}"])
    _check_keys(data, DOCUMENT_KEYS, top, problems)

    level = data.get("level")
    if level not in Level.values:
        problems.add(top, "level", f"unknown level {level!r}; expected one of {', '.join(Level.values)}")
        level = None
    title = _clean_text(data, "title", top, problems, max_length=QUESTIONNAIRE_TITLE_MAX)
    notes = _clean_text(data, "notes", top, problems)
    translations = _clean_translations(data, QUESTIONNAIRE_TRANSLATED, top, problems)
    number = data.get("version")
    if number is not None and (isinstance(number, bool) or not isinstance(number, int) or number < 1):
        problems.add(top, "version", f"must be a whole number from 1, not {number!r}")
    status = data.get("status")
    if status is not None and status not in VersionStatus.values:
        problems.add(top, "status", f"unknown status {status!r}; expected one of {', '.join(VersionStatus.values)}")

    raw_sections = data.get("sections")
    sections: list[_SectionData] = []
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.add(top, "sections", "must be a non-empty list of sections")
        raw_sections = []
    section_places: dict[str, str] = {}
    indicator_places: dict[str, str] = {}
    for section_index, raw_section in enumerate(raw_sections, start=1):
        place = f"section {_label(raw_section, section_index)}"
        if not isinstance(raw_section, Mapping):
            problems.add(place, None, "must be an object")
            continue
        _check_keys(raw_section, SECTION_KEYS, place, problems)
        code = _clean_code(raw_section.get("code"), place, problems)
        if code in section_places:
            problems.add(place, "code", f"duplicate section code {code!r} (also {section_places[code]})")
        elif code:
            section_places[code] = f"section #{section_index}"
        section = _SectionData(
            fields={
                "code": code,
                "title": _clean_text(
                    raw_section, "title", place, problems, required=True, max_length=SECTION_TITLE_MAX
                ),
                "guidance": _clean_text(raw_section, "guidance", place, problems),
                "translations": _clean_translations(raw_section, SECTION_TRANSLATED, place, problems),
            }
        )
        raw_indicators = raw_section.get("indicators")
        if not isinstance(raw_indicators, list) or not raw_indicators:
            problems.add(place, "indicators", "must be a non-empty list of indicators")
            raw_indicators = []
        for indicator_index, raw_indicator in enumerate(raw_indicators, start=1):
            indicator_place = f"{place}, indicator {_label(raw_indicator, indicator_index)}"
            values = _clean_indicator(raw_indicator, level=level, place=indicator_place, problems=problems)
            indicator_code = values.get("code")
            if indicator_code in indicator_places:
                problems.add(
                    indicator_place,
                    "code",
                    f"duplicate indicator code {indicator_code!r} (also in {indicator_places[indicator_code]})",
                )
            elif indicator_code:
                indicator_places[indicator_code] = place
            section.indicators.append(values)
        sections.append(section)
    problems.raise_if_any()
    assert level is not None  # a bad level was a problem, raised above
    return _Document(level=level, title=title, notes=notes, sections=sections, translations=translations)


def _clean_indicator(raw: Any, *, level: str | None, place: str, problems: _Problems) -> dict[str, Any]:
    """Check one indicator; return the model field values. ``level`` None skips the level's own rules."""
    if not isinstance(raw, Mapping):
        problems.add(place, None, "must be an object")
        return {}
    _check_keys(raw, INDICATOR_KEYS, place, problems)
    cleaned: dict[str, Any] = {
        "code": _clean_code(raw.get("code"), place, problems),
        "title": _clean_text(raw, "title", place, problems, required=True, max_length=INDICATOR_TITLE_MAX),
        "guidance": _clean_text(raw, "guidance", place, problems),
        "unit": _clean_text(raw, "unit", place, problems, max_length=UNIT_MAX),
        "required": _clean_flag(raw, "required", True, place, problems),
        "evidence_required": _clean_flag(raw, "evidence_required", False, place, problems),
        "minimum_requirement": _clean_flag(raw, "minimum_requirement", False, place, problems),
        "translations": _clean_translations(raw, INDICATOR_TRANSLATED, place, problems),
    }

    answer_type: AnswerType | None = None
    if "answer_type" not in raw:
        problems.add(place, "answer_type", "is missing")
    elif raw["answer_type"] not in AnswerType.values:
        problems.add(
            place,
            "answer_type",
            f"unknown answer type {raw['answer_type']!r}; expected one of {', '.join(AnswerType.values)}",
        )
    else:
        answer_type = AnswerType(raw["answer_type"])
    cleaned["answer_type"] = answer_type

    minimum = _clean_number(raw.get("min_value"), place, "min_value", problems)
    maximum = _clean_number(raw.get("max_value"), place, "max_value", problems)
    if answer_type is not None and answer_type not in NUMERIC_TYPES:
        for name, value in (("min_value", minimum), ("max_value", maximum)):
            if value is not None:
                problems.add(
                    place, name, f"only integer, decimal and percentage answers have bounds, not {answer_type}"
                )
        minimum = maximum = None
    for name, value in (("min_value", minimum), ("max_value", maximum)):
        if value is None:
            continue
        if answer_type == AnswerType.INTEGER and value != value.to_integral_value():
            problems.add(place, name, f"must be a whole number for an integer answer, not {plain_number(value)}")
        if answer_type == AnswerType.PERCENTAGE and not Decimal(0) <= value <= Decimal(100):
            problems.add(place, name, f"must be between 0 and 100 for a percentage, not {plain_number(value)}")
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.add(
            place,
            "min_value",
            f"must not be greater than max_value ({plain_number(minimum)} > {plain_number(maximum)})",
        )
    cleaned["min_value"] = minimum
    cleaned["max_value"] = maximum

    cleaned["choices"] = _clean_choices(raw.get("choices"), answer_type, place, problems)
    values = {choice["value"] for choice in cleaned["choices"]}
    # Checked only against valid choices: a broken choice list is reported once, above.
    for language, texts in cleaned["translations"].items() if values else ():
        unknown = sorted(set(texts.get("choices", {})) - values)
        if unknown:
            problems.add(place, f"translations.{language}.choices", f"not among the choices: {', '.join(unknown)}")

    max_points = raw.get("max_points")
    if max_points is not None and (
        isinstance(max_points, bool) or not isinstance(max_points, int) or not 1 <= max_points <= MAX_POINTS_LIMIT
    ):
        problems.add(place, "max_points", f"must be a whole number from 1 to {MAX_POINTS_LIMIT}, not {max_points!r}")
        max_points = None
    elif max_points is None and level == Level.GOLD:
        problems.add(place, "max_points", "is missing: every Gold indicator scores points")
    cleaned["max_points"] = max_points

    threshold = raw.get("threshold")
    if threshold is None:
        threshold = {}
    if not isinstance(threshold, Mapping):
        problems.add(
            place, "threshold", f'must be an object such as {{"kind": "at_least", "value": 15}}, not {threshold!r}'
        )
        threshold = {}
    if not threshold and level == Level.GOLD:
        problems.add(place, "threshold", "is missing: every Gold indicator is scored against a threshold")
    cleaned["threshold"] = (
        _clean_threshold(threshold, answer_type, minimum, maximum, cleaned["choices"], place, problems)
        if threshold
        else {}
    )
    return cleaned


def _clean_threshold(
    threshold: Mapping[str, Any],
    answer_type: AnswerType | None,
    minimum: Decimal | None,
    maximum: Decimal | None,
    choices: list[dict[str, str]],
    place: str,
    problems: _Problems,
) -> dict[str, Any]:
    _check_keys(threshold, THRESHOLD_KEYS, place, problems, prefix="threshold.")
    kind = threshold.get("kind")
    if kind not in ThresholdKind.values:
        problems.add(
            place,
            "threshold.kind",
            f"unknown threshold kind {kind!r}; expected one of {', '.join(ThresholdKind.values)}",
        )
        return {}
    kind = ThresholdKind(kind)
    allowed_types = {
        ThresholdKind.AT_LEAST: NUMERIC_TYPES,
        ThresholdKind.AT_MOST: NUMERIC_TYPES,
        ThresholdKind.YES: frozenset({AnswerType.YES_NO}),
        ThresholdKind.CHOICE_IN: CHOICE_TYPES,
        ThresholdKind.ANSWERED: frozenset(AnswerType),
    }[kind]
    if answer_type is not None and answer_type not in allowed_types:
        problems.add(
            place,
            "threshold.kind",
            f"{kind} needs a {' or '.join(sorted(allowed_types))} answer, not {answer_type}",
        )
    if kind != ThresholdKind.CHOICE_IN and "choices" in threshold:
        problems.add(place, "threshold.choices", f"only a choice_in threshold lists choices, not {kind}")

    if kind in (ThresholdKind.AT_LEAST, ThresholdKind.AT_MOST):
        if threshold.get("value") is None:
            problems.add(place, "threshold.value", f"is missing: an {kind} threshold needs a number")
            return {"kind": kind.value}
        value = _clean_number(threshold["value"], place, "threshold.value", problems)
        if value is None:
            return {"kind": kind.value}
        if answer_type == AnswerType.INTEGER and value != value.to_integral_value():
            problems.add(place, "threshold.value", f"must be a whole number for an integer answer, not {value}")
        if kind == ThresholdKind.AT_LEAST and maximum is not None and value > maximum:
            problems.add(
                place,
                "threshold.value",
                f"can never be met: at least {plain_number(value)} but max_value is {plain_number(maximum)}",
            )
        if kind == ThresholdKind.AT_MOST and minimum is not None and value < minimum:
            problems.add(
                place,
                "threshold.value",
                f"can never be met: at most {plain_number(value)} but min_value is {plain_number(minimum)}",
            )
        return {"kind": kind.value, "value": _json_number(value)}

    if "value" in threshold:
        problems.add(place, "threshold.value", f"a {kind} threshold takes no value")
    if kind != ThresholdKind.CHOICE_IN:
        return {"kind": kind.value}

    chosen = threshold.get("choices")
    if not isinstance(chosen, list) or not chosen or not all(isinstance(value, str) for value in chosen):
        problems.add(place, "threshold.choices", "is missing: a choice_in threshold lists the choice values that count")
        return {"kind": kind.value, "choices": []}
    known = {choice["value"] for choice in choices}
    unknown = [value for value in chosen if value not in known]
    if known and unknown:
        problems.add(place, "threshold.choices", f"not among the indicator's choices: {', '.join(unknown)}")
    return {"kind": kind.value, "choices": list(chosen)}


def _clean_choices(raw: Any, answer_type: AnswerType | None, place: str, problems: _Problems) -> list[dict[str, str]]:
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        problems.add(place, "choices", 'must be a list such as [{"value": "a", "label": "..."}]')
        return []
    choices: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, choice in enumerate(raw, start=1):
        if not isinstance(choice, Mapping) or set(choice) != {"value", "label"}:
            problems.add(place, f"choices[{index}]", 'must be an object with exactly "value" and "label"')
            continue
        value, label = choice["value"], choice["label"]
        if not isinstance(value, str) or not value.strip() or len(value) > CHOICE_VALUE_MAX:
            problems.add(place, f"choices[{index}].value", f"must be text of 1 to {CHOICE_VALUE_MAX} characters")
            continue
        if not isinstance(label, str) or not label.strip():
            problems.add(place, f"choices[{index}].label", "must be non-empty text")
            continue
        if value in seen:
            problems.add(place, f"choices[{index}].value", f"duplicate choice value {value!r}")
            continue
        seen.add(value)
        choices.append({"value": value, "label": label.strip()})
    if answer_type in CHOICE_TYPES and len(raw) < 2:
        problems.add(place, "choices", f"a {answer_type} answer needs at least two choices")
    elif answer_type is not None and answer_type not in CHOICE_TYPES and raw:
        problems.add(
            place, "choices", f"only single_choice and multiple_choice answers have choices, not {answer_type}"
        )
        return []
    return choices


def _clean_translations(
    raw: Mapping[str, Any], allowed: tuple[str, ...], place: str, problems: _Problems
) -> dict[str, dict[str, Any]]:
    """``{"sr-latn": {"title": "...", "choices": {"a": "..."}}}``: hand-made translations only.

    Serbian Cyrillic is not accepted: it is made from the Latin text when shown.
    Empty texts are dropped, so a missing translation is simply absent.
    """
    value = raw.get("translations")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(place, "translations", 'must be an object such as {"sr-latn": {"title": "..."}}')
        return {}
    cleaned: dict[str, dict[str, Any]] = {}
    for language, texts in value.items():
        where = f"translations.{language}"
        if language not in TRANSLATED_LANGUAGES:
            problems.add(place, where, f"unknown language; expected one of {', '.join(TRANSLATED_LANGUAGES)}")
            continue
        if not isinstance(texts, Mapping):
            problems.add(place, where, "must be an object")
            continue
        _check_keys(texts, frozenset(allowed), place, problems, prefix=f"{where}.")
        entry: dict[str, Any] = {}
        for name in allowed:
            text = texts.get(name)
            if name == "choices":
                if text is None:
                    continue
                if not isinstance(text, Mapping) or not all(
                    isinstance(key, str) and isinstance(label, str) for key, label in text.items()
                ):
                    problems.add(place, f"{where}.choices", 'must map choice values to labels: {"a": "..."}')
                    continue
                labels = {key: label.strip() for key, label in text.items() if label.strip()}
                if labels:
                    entry["choices"] = labels
            elif text is not None:
                if not isinstance(text, str):
                    problems.add(place, f"{where}.{name}", f"must be text, not {type(text).__name__}")
                elif text.strip():
                    entry[name] = text.strip()
        if entry:
            cleaned[language] = entry
    return cleaned


def _check_keys(
    raw: Mapping[str, Any], allowed: frozenset[str], place: str, problems: _Problems, prefix: str = ""
) -> None:
    # A misspelt key ("minimum_requirment") would otherwise be dropped without a word.
    for key in sorted(set(raw) - allowed, key=str):
        problems.add(place, f"{prefix}{key}", "unknown field")


def _clean_code(raw: Any, place: str, problems: _Problems) -> str:
    if raw is None:
        problems.add(place, "code", "is missing")
        return ""
    code = raw.strip() if isinstance(raw, str) else ""
    if not code or len(code) > CODE_MAX or not CODE_PATTERN.match(code):
        problems.add(
            place,
            "code",
            f"must be 1 to {CODE_MAX} letters, digits, '.', '-' or '_', not {raw!r}",
        )
        return ""
    return code


def _clean_text(
    raw: Mapping[str, Any],
    name: str,
    place: str,
    problems: _Problems,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> str:
    value = raw.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(place, name, f"must be text, not {type(value).__name__}")
        return ""
    value = value.strip()
    if required and not value:
        problems.add(place, name, "is missing")
    if max_length is not None and len(value) > max_length:
        problems.add(place, name, f"is {len(value)} characters long; at most {max_length}")
    return value


def _clean_flag(raw: Mapping[str, Any], name: str, default: bool, place: str, problems: _Problems) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        problems.add(place, name, f"must be true or false, not {value!r}")
        return default
    return value


def _clean_number(raw: Any, place: str, name: str, problems: _Problems) -> Decimal | None:
    if raw is None:
        return None
    # bool is an int in Python, and a string would hide a typo: both refused.
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        problems.add(place, name, f"must be a number, not {raw!r}")
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        problems.add(place, name, f"must be a number below {NUMBER_LIMIT:,}, not {raw!r}")
        return None
    if number != number.quantize(NUMBER_PLACES):
        problems.add(place, name, f"must have at most 4 decimal places, not {raw!r}")
        return None
    return number


def _clean_position(raw: Any, place: str, problems: _Problems) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 32767:
        problems.add(place, "position", f"must be a whole number from 0 to 32767, not {raw!r}")
        return 0
    return raw
