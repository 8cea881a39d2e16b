"""A questionnaire version's sections and indicators, read once per process.

Every page of a case shows its questionnaire's structure: the overview lists the
sections, a section page draws its indicators, an autosave counts the required
ones. The structure of a published version does not change, except for the
catalogue filling in its translations; a draft changes while the office edits
it. Reading and building it on each request was a fifth of a section page.

``structure_of(version)`` keeps it per process under the version's key and its
``revision``, a stamp drawn afresh (a random UUID, never reused) in the same
transaction as any change to a section or an indicator of the version: the
signals below call ``structure_changed`` for every save and delete, the admin's
included. The version row comes with the case in the query that reads the case,
so a process never shows a structure older than the version row it has just read.

- A stamp is never reused: a change rolled back after its structure was read
  inside its transaction leaves a stamp no later change will draw; a database
  rolled back or restored gives its versions other stamps.
- A whole save of the version row (the admin's, which writes every field as it
  was read) draws a new stamp too, so it cannot put an older one back.
- A structure is kept only if the stamp is still the one read with the case
  once its rows are read: a change committed between the two reads is read again
  by the next request, not kept.
- A new version's indicators are created in bulk, which sends no signal, but in
  the transaction that creates its sections, whose signals move the stamp. A
  write in bulk to an existing version must call ``structure_changed`` itself,
  and a data migration (its models send no signal to these receivers) must be
  followed by a restart of the web and worker processes.

What is kept is shared by every request of the process: read it, never change it.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save

from assessments.models import Indicator, QuestionnaireVersion, Section

# Versions in use at once are a handful (three levels, a draft or two); old cases
# keep old versions, so the process keeps the most recently read ones.
KEPT_VERSIONS = 32


@dataclass(frozen=True)
class Structure:
    """The sections of a version in order, each with its indicators in order."""

    sections: tuple[Section, ...]
    indicators_of: dict[int, tuple[Indicator, ...]]
    indicators: tuple[Indicator, ...] = field(init=False)
    by_pk: dict[int, Indicator] = field(init=False)
    section_by_code: dict[str, Section] = field(init=False)

    def __post_init__(self) -> None:
        ordered = tuple(indicator for section in self.sections for indicator in self.indicators_of[section.pk])
        object.__setattr__(self, "indicators", ordered)
        object.__setattr__(self, "by_pk", {indicator.pk: indicator for indicator in ordered})
        object.__setattr__(self, "section_by_code", {section.code: section for section in self.sections})

    def section(self, code: str) -> Section | None:
        return self.section_by_code.get(code)

    def indicator(self, pk: int) -> Indicator | None:
        return self.by_pk.get(pk)

    @property
    def required(self) -> tuple[Indicator, ...]:
        """The indicators that count towards progress: an answer or evidence required."""
        return tuple(i for i in self.indicators if i.required or i.evidence_required)


_kept: OrderedDict[tuple[int, uuid.UUID], Structure] = OrderedDict()
_lock = threading.Lock()


def structure_of(version: QuestionnaireVersion) -> Structure:
    """The version's structure, read at most once per process and stamp (three queries when read)."""
    key = (version.pk, version.revision)
    with _lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            return kept
    structure = _read(version.pk)
    if _stamp_of(version.pk) != version.revision:
        return structure  # changed while it was read, or since the case was: not kept
    with _lock:
        _kept[key] = structure
        while len(_kept) > KEPT_VERSIONS:
            _kept.popitem(last=False)
    return structure


def _stamp_of(version_id: int) -> uuid.UUID | None:
    return QuestionnaireVersion.objects.filter(pk=version_id).values_list("revision", flat=True).first()


def forget_structures() -> None:
    """Drop what this process keeps (each test starts with nothing kept)."""
    with _lock:
        _kept.clear()


def _read(version_id: int) -> Structure:
    sections = tuple(Section.objects.filter(version_id=version_id).order_by("position", "code"))
    by_section: dict[int, list[Indicator]] = {section.pk: [] for section in sections}
    sections_by_pk = {section.pk: section for section in sections}
    for indicator in Indicator.objects.filter(version_id=version_id).order_by("position", "code"):
        if indicator.section_id not in sections_by_pk:
            continue  # its section was added after the sections were read: the stamp check drops this read
        # Its section is the kept one: ``indicator.section`` reads nothing.
        indicator._state.fields_cache["section"] = sections_by_pk[indicator.section_id]
        by_section[indicator.section_id].append(indicator)
    for section in sections:
        # ``section.indicators.all()`` answers from what is kept, as after a prefetch.
        _prefetched(section, "indicators", by_section[section.pk])
    return Structure(sections, {pk: tuple(items) for pk, items in by_section.items()})


def _prefetched(instance: Any, name: str, items: list[Any]) -> None:
    queryset = getattr(instance, name).all()
    queryset._result_cache = items
    queryset._prefetch_done = True
    instance._prefetched_objects_cache = {name: queryset}


def structure_changed(version_id: int) -> None:
    """Draw the version a new stamp: what any process keeps of it is read again.
    Call it inside the transaction that changes a section or indicator of the version."""
    QuestionnaireVersion.objects.filter(pk=version_id).update(revision=uuid.uuid4())


def _version_saved_whole(sender: type, instance: QuestionnaireVersion, **kwargs: Any) -> None:
    """A save of every field writes the stamp read with the row: a new one instead, so
    that it never puts back one a process may keep an older structure under."""
    if kwargs.get("update_fields") is None and not kwargs.get("raw"):
        instance.revision = uuid.uuid4()


def _section_saved_or_deleted(sender: type, instance: Section | Indicator, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # fixtures being loaded: nothing is kept of them yet
        return
    structure_changed(instance.version_id)


def connect_signals() -> None:
    """Every save and delete of a section or indicator, wherever it comes from (a service,
    the admin's draft editing, the catalogue's translations), moves its version on."""
    pre_save.connect(_version_saved_whole, sender=QuestionnaireVersion, dispatch_uid="structure-version-save")
    for model in (Section, Indicator):
        post_save.connect(_section_saved_or_deleted, sender=model, dispatch_uid=f"structure-{model.__name__}-save")
        post_delete.connect(_section_saved_or_deleted, sender=model, dispatch_uid=f"structure-{model.__name__}-delete")
