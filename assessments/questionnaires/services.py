"""The writes of questionnaires: import, publish, new draft, section and indicator edits.

Every writer of a questionnaire's versions locks the questionnaire row first.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.enums import VersionStatus
from assessments.models import Indicator, Questionnaire, QuestionnaireVersion, Section
from assessments.questionnaires.document import Document, Problems, document_check, questionnaire_export
from assessments.questionnaires.selectors import version_tree
from assessments.questionnaires.serializers import (
    INDICATOR_EDITABLE,
    INDICATOR_KEYS,
    SECTION_EDITABLE,
    IndicatorEditSerializer,
    SectionEditSerializer,
    SectionSerializer,
)
from assessments.transitions import VERSION_MOVES
from common.enums import Level
from common.errors import ActionRefused
from common.services import history_record
from common.workflow import Workflow, transition, workflow_register

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


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
    document = document_check(data)
    with transaction.atomic():
        questionnaire = questionnaire_for_update(
            level=document.level, title=document.title, translations=document.translations
        )
        version = version_create(questionnaire=questionnaire, document=document)
        if status == VersionStatus.PUBLISHED:
            version = version_publish(version=version)
    logger.info(
        "Imported %s questionnaire version %s (%s).", document.level, version.number, version.get_status_display()
    )
    return version


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
        _refuse_unpublishable(locked)
        retired = _published_retire(locked.questionnaire_id, by)
        locked = transition(
            VERSION_WORKFLOW,
            obj=version,  # the door updates the caller's copy too
            to_state=VersionStatus.PUBLISHED,
            by=by,
            data={"retired": ", ".join(str(number) for number in retired)},
        )
    logger.info(
        "%s version %s published by %s; retired: %s.",
        locked.questionnaire,
        locked.number,
        by.email if by is not None else "the system",
        ", ".join(str(number) for number in retired) or "none",
    )
    version.published_at = locked.published_at
    return version


def _refuse_unpublishable(version: QuestionnaireVersion) -> None:
    if version.status != VersionStatus.DRAFT:
        raise ActionRefused(
            _("Only a draft can be published: version %(number)s is %(status)s.")
            % {"number": version.number, "status": version.get_status_display().lower()}
        )
    if not version.indicators.exists():
        raise ActionRefused(
            _("Version %(number)s has no indicators: add some before publishing.") % {"number": version.number}
        )
    document_check(questionnaire_export(version))


def _published_retire(questionnaire_id: int, by: User | None) -> list[int]:
    """Retire the questionnaire's published version, if any; return the numbers retired."""
    published = list(
        QuestionnaireVersion.objects.select_for_update().filter(
            questionnaire_id=questionnaire_id, status=VersionStatus.PUBLISHED
        )
    )
    # Retire first: the one-published-version constraint holds at every statement.
    for version in published:
        transition(VERSION_WORKFLOW, obj=version, to_state=VersionStatus.RETIRED, by=by)
    return [version.number for version in published]


def _published_at_stamp(version: QuestionnaireVersion, from_state: str, to_state: str, note: str, by: Any) -> list[str]:
    if to_state != VersionStatus.PUBLISHED:
        return []
    version.published_at = timezone.now()
    return ["published_at"]


VERSION_WORKFLOW: Workflow[QuestionnaireVersion] = workflow_register(
    Workflow(
        name="questionnaire",
        model=QuestionnaireVersion,
        moves=VERSION_MOVES,
        state_field="status",
        refusal=gettext_lazy("A version that is %(from)s cannot become %(to)s."),
        stamp=_published_at_stamp,
    )
)


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
        copies = [indicator for section in version_tree(from_version) for indicator in _section_copy(section, draft)]
        Indicator.objects.bulk_create(copies)
        history_record(
            obj=draft, action="questionnaire.draft", by=None, data={"number": draft.number, "from": from_version.pk}
        )
    logger.info("%s: draft version %s made from version %s.", questionnaire, draft.number, from_version.number)
    return draft


def _section_copy(section: Section, draft: QuestionnaireVersion) -> list[Indicator]:
    """Create a copy of ``section`` in ``draft``; return copies of its indicators, not yet saved."""
    new_section = Section.objects.create(
        version=draft,
        code=section.code,
        title=section.title,
        guidance=section.guidance,
        translations=copy.deepcopy(section.translations),
        position=section.position,
    )
    return [
        Indicator(
            version=draft,
            section=new_section,
            position=indicator.position,
            # deepcopy: the JSON fields (choices, threshold) must not share lists with the source.
            **{name: copy.deepcopy(getattr(indicator, name)) for name in INDICATOR_KEYS},
        )
        for indicator in section.indicators.all()
    ]


def section_update(*, section: Section, **fields: Any) -> Section:
    """Change a section of a draft version (code, title, guidance, translations, position).

    Refuses with ``ActionRefused`` when the version is not a draft, and with
    ``QuestionnaireInvalid`` when a value breaks a rule (bad or duplicate code,
    empty title ...). Side effects: saves the section.
    """
    _refuse_unknown(fields, SECTION_EDITABLE, "section_update")
    with transaction.atomic():
        version = _draft_locked(section.version_id)
        place = f"section {section.code}"
        problems = Problems()
        current = {name: getattr(section, name) for name in SectionSerializer._declared_fields}
        cleaned = problems.check(place, SectionEditSerializer(data=current | fields))
        code = cleaned.get("code")
        if code and Section.objects.filter(version=version, code=code).exclude(pk=section.pk).exists():
            problems.add(place, "code", f"duplicate section code {code!r} in this version")
        problems.raise_if_any()
        changes = _changes(section, cleaned)
        for name, value in cleaned.items():
            setattr(section, name, value)
        section.save(update_fields=list(cleaned))
        if changes:
            history_record(
                obj=version, action="questionnaire.section", by=None, data={"section": section.code, **changes}
            )
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
        place = f"indicator {indicator.code}"
        problems = Problems()
        current = {name: getattr(indicator, name) for name in INDICATOR_KEYS}
        context = {"level": version.questionnaire.level}
        cleaned = problems.check(place, IndicatorEditSerializer(data=current | fields, context=context))
        code = cleaned.get("code")
        if code and Indicator.objects.filter(version=version, code=code).exclude(pk=indicator.pk).exists():
            problems.add(place, "code", f"duplicate indicator code {code!r} in this version")
        problems.raise_if_any()
        changes = _changes(indicator, cleaned)
        for name, value in cleaned.items():
            setattr(indicator, name, value)
        indicator.save(update_fields=list(cleaned))
        if changes:
            history_record(
                obj=version, action="questionnaire.indicator", by=None, data={"indicator": indicator.code, **changes}
            )
    return indicator


def _changes(item: Section | Indicator, cleaned: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [before, after]}`` for what an edit really changes."""
    return {name: [getattr(item, name), value] for name, value in cleaned.items() if getattr(item, name) != value}


def questionnaire_for_update(
    *, level: str, title: str, translations: dict[str, dict[str, Any]] | None = None
) -> Questionnaire:
    """The level's questionnaire, locked until the transaction ends (call it inside one).

    Side effects: creates the level's Questionnaire with ``title`` if it has
    none; adds the languages of ``translations`` its title lacks, when its
    title is ``title``.
    """
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


def version_create(*, questionnaire: Questionnaire, document: Document) -> QuestionnaireVersion:
    """Write a checked document as a new draft of ``questionnaire``; the caller holds its lock.

    Side effects: creates one QuestionnaireVersion, numbered last + 1, with
    the document's sections and indicators.
    """
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
    history_record(
        obj=version,
        action="questionnaire.draft",
        by=None,
        data={"number": version.number, "indicators": len(indicators)},
    )
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
