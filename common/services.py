"""Writes on shared reference data, and the one way to add to the history."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import slugify

from common.enums import SECTOR_NAMES
from common.models import ActivityLog


def sectors_ensure(sector_model: Any = None) -> None:
    """Make the sector table hold the scheme's sector list (idempotent).

    Takes the model class so the data migration can pass its historical model.
    """
    if sector_model is None:
        from common.models import Sector as sector_model
    for position, name in enumerate(SECTOR_NAMES, start=1):
        sector_model.objects.update_or_create(slug=slugify(name), defaults={"name": name, "position": position})


def history_record(
    *,
    obj: models.Model,
    action: str,
    by: Any,
    data: Mapping[str, Any] | None = None,
    reason: str = "",
) -> ActivityLog:
    """Add one row to the history of ``obj``: ``action`` (``"<entity>.<verb>"``,
    e.g. ``"label.revoked"``), who (an account, or None for the system), the
    values of the change (``{"field": [before, after]}``, or what was created)
    and the reason given. A list of two is read as before and after: write
    other lists as text.

    Call it inside the transaction of the change it records, so both are kept
    or neither. ``by`` is kept by reference only (see ``ActivityLog``).
    """
    return ActivityLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        action=action,
        # An anonymous visitor or the system (a task) acts as nobody.
        actor=by if getattr(by, "pk", None) is not None else None,
        data=dict(data or {}),
        reason=reason.strip(),
    )


def history_record_many(
    *, objs: Sequence[models.Model], action: str, by: Any, data: Callable[[Any], Mapping[str, Any]]
) -> None:
    """``history_record`` for many objects of one kind at once (an import of
    thousands of labels): one insert per batch instead of one per object."""
    if not objs:
        return
    kind = ContentType.objects.get_for_model(objs[0], for_concrete_model=True)
    actor = by if getattr(by, "pk", None) is not None else None
    ActivityLog.objects.bulk_create(
        [
            ActivityLog(content_type=kind, object_id=obj.pk, action=action, actor=actor, data=dict(data(obj)))
            for obj in objs
        ],
        batch_size=1000,
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One row for ``history_record_dated``: the past as it happened (seeded demo cases, benchmark volumes)."""

    obj: models.Model
    action: str
    by: Any
    at: datetime
    data: Mapping[str, Any]
    reason: str = ""


def history_record_dated(entries: Iterable[HistoryEntry]) -> None:
    """Write history rows with the times they happened at, in batches: the
    timelines of seeded cases, whose steps lie in the past."""
    kinds: dict[type[models.Model], ContentType] = {}
    rows = []
    for entry in entries:
        model = type(entry.obj)
        if model not in kinds:
            kinds[model] = ContentType.objects.get_for_model(model, for_concrete_model=True)
        rows.append(
            ActivityLog(
                content_type=kinds[model],
                object_id=entry.obj.pk,
                action=entry.action,
                actor=entry.by if getattr(entry.by, "pk", None) is not None else None,
                at=entry.at,
                data=dict(entry.data),
                reason=entry.reason,
            )
        )
    ActivityLog.objects.bulk_create(rows, batch_size=2000)
