"""The one door for every state change, shared by every workflow of the portal.

A workflow is data: the model and its state field, the allowed moves (from,
to) with the permission each needs, and the effects of arriving in a state
(mail, notifications, tasks) that the door runs after commit. ``transition``
is the only code that changes a stored state: it checks the permission first
(so a refused person learns nothing about the object), locks the row, checks
the move, saves, writes the history row (``<name>.state``) and queues the
effects. Callers never add effects of their own.

Every workflow registers itself here; a guard (``guard_install``) refuses a
save that changes a registered model's state outside the door, so a bug that
goes around it fails loudly instead of leaving a record without history.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.signals import post_init, pre_save
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from common.errors import ActionRefused
from common.prepared import Prepared
from common.request_cache import forget
from common.services import history_record

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Move:
    """One allowed move: the django-rules permission checked against the object,
    and whether the person must give a reason."""

    permission: str
    note_required: bool = False


@dataclass(frozen=True)
class Arrival:
    """What an effect is told, after commit: which object arrived where, from
    where, made by whom, with which note. Effects load what else they need."""

    model: type[models.Model]
    pk: int
    state_field: str
    from_state: str
    to_state: str
    by_id: int | None
    note: str
    at: datetime

    def get_to_state_display(self) -> str:
        return _choices(self.model, self.state_field).get(self.to_state, self.to_state)

    def get_from_state_display(self) -> str:
        return _choices(self.model, self.state_field).get(self.from_state, self.from_state)


def _choices(model: type[models.Model], state_field: str) -> dict[str, str]:
    """The state's values and their names, in the active language."""
    state = model._meta.get_field(state_field)
    assert isinstance(state, models.Field)
    return {str(value): str(name) for value, name in state.flatchoices}


Effect = Callable[[Arrival], None]
# Fields set on arrival beside the state (a submission's date, a refusal's
# reason): called with the locked object, from, to, note and who moves it; it
# sets them on the object and returns their names.
Stamp = Callable[[Any, str, str, str, Any], Sequence[str]]


@dataclass(frozen=True)
class Workflow(Generic[M]):
    """The moves and effects of one model's state.

    ``effects`` maps a state, or a (from, to) pair for a particular move, to
    what runs after commit when an object arrives there; both apply when both
    match. ``refusal`` is the message for a move the table does not allow,
    with ``%(from)s`` and ``%(to)s``.
    """

    name: str
    model: type[M]
    moves: Mapping[tuple[str, str], Move]
    refusal: str | Promise
    state_field: str = "state"
    effects: Mapping[str | tuple[str, str], Sequence[Effect]] = field(default_factory=dict)
    stamp: Stamp | None = None
    note_refusal: str | Promise = ""

    def effects_of(self, from_state: str, to_state: str) -> list[Effect]:
        return [
            *self.effects.get((from_state, to_state), ()),
            *self.effects.get(to_state, ()),
            *_attached.get(self.name, ()),
        ]

    def permissions_into(self, to_state: str) -> set[str]:
        return {move.permission for (_from, to), move in self.moves.items() if to == to_state}


_registry: dict[type[models.Model], Workflow[Any]] = {}
_inside_door: contextvars.ContextVar[frozenset[tuple[type[models.Model], Any]]] = contextvars.ContextVar(
    "inside_door", default=frozenset()
)


def workflow_register(workflow: Workflow[M]) -> Workflow[M]:
    """Declare a workflow: its model's state then changes only through ``transition``."""
    _registry[workflow.model] = workflow
    return workflow


def workflows() -> dict[type[models.Model], Workflow[Any]]:
    return dict(_registry)


# Effects that an app above a workflow's own adds to every arrival of it, by
# the workflow's name: the lower app stays unaware of who reacts (labels keep
# their figures fresh when an organisation or an application moves).
_attached: dict[str, tuple[Effect, ...]] = {}


def effect_attach(workflow_name: str, effect: Effect) -> None:
    """Run ``effect`` after commit on every move of the workflow named
    ``workflow_name``, besides its own effects (called once, from an app's
    ``ready``; attaching the same effect twice runs it once). The effect is
    told the move (``Arrival``) and decides itself whether it matters."""
    present = _attached.get(workflow_name, ())
    if effect not in present:
        _attached[workflow_name] = (*present, effect)


def effects_attached(workflow_name: str) -> tuple[Effect, ...]:
    return _attached.get(workflow_name, ())


def may_move(obj: models.Model, to_state: str, by: Any) -> bool:
    """Whether ``by`` may move ``obj`` to ``to_state`` now: the move is in its
    workflow's table from the object's current state and the person holds its
    permission. What pages ask before offering a move (the door decides)."""
    workflow = _registry.get(type(obj))
    if workflow is None:
        raise LookupError(f"{type(obj).__name__} has no registered workflow")
    move = workflow.moves.get((str(getattr(obj, workflow.state_field)), to_state))
    return move is not None and bool(by.has_perm(move.permission, obj))


def _state_label(workflow: Workflow[Any], state: str) -> str:
    return _choices(workflow.model, workflow.state_field).get(state, state).lower()


def _refuse_without_permission(workflow: Workflow[Any], obj: models.Model, to_state: str, by: Any) -> None:
    """A person who may make no move into ``to_state`` is refused before they
    learn anything about the object's state."""
    if by is None:  # the system (a task, a command) acts on its own authority
        return
    if not any(by.has_perm(permission, obj) for permission in workflow.permissions_into(to_state)):
        raise PermissionDenied


@contextmanager
def _door_open(obj: models.Model) -> Iterator[None]:
    token = _inside_door.set(_inside_door.get() | {(type(obj), obj.pk)})
    try:
        yield
    finally:
        _inside_door.reset(token)


def transition(
    workflow: Workflow[M],
    *,
    obj: M,
    to_state: str,
    by: Any,
    note: str = "",
    data: Mapping[str, Any] | None = None,
) -> M:
    """Move ``obj`` to ``to_state`` through the door; returns the locked, saved object.

    ``by`` None is the system (a scheduled task or a command), which needs no
    permission. Raises ``PermissionDenied`` when the person may make no move
    into that state or not this one, ``ActionRefused`` for a move the table
    does not allow or a missing reason. Side effects: one history row
    ``<workflow>.state`` with ``{"state": [from, to]}`` and ``data``; the
    workflow's effects of arriving, after commit.
    """
    note = note.strip()
    with transaction.atomic():
        _refuse_without_permission(workflow, obj, to_state, by)
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        forget()  # rules answer from rows read under the lock, not earlier in the request
        from_state = str(getattr(locked, workflow.state_field))
        move = workflow.moves.get((from_state, to_state))
        if move is None:
            raise ActionRefused(
                workflow.refusal % {"from": _state_label(workflow, from_state), "to": _state_label(workflow, to_state)}
            )
        if by is not None and not by.has_perm(move.permission, locked):
            raise PermissionDenied
        if move.note_required and not note:
            raise ActionRefused(workflow.note_refusal or _("Please give a reason."))
        setattr(locked, workflow.state_field, to_state)
        fields = [workflow.state_field]
        if workflow.stamp is not None:
            fields += workflow.stamp(locked, from_state, to_state, note, by)
        if any(f.name == "updated_at" for f in workflow.model._meta.get_fields()):
            fields.append("updated_at")
        with _door_open(locked):
            locked.save(update_fields=fields)
        history_record(
            obj=locked,
            action=f"{workflow.name}.state",
            by=by,
            data={"state": [from_state, to_state], **(data or {})},
            reason=note,
        )
        arrival = Arrival(
            model=workflow.model,
            pk=locked.pk,
            state_field=workflow.state_field,
            from_state=from_state,
            to_state=to_state,
            by_id=getattr(by, "pk", None),
            note=note,
            at=timezone.now(),
        )
        # The caller's copy tells the truth too (a later save of it is no move).
        setattr(obj, workflow.state_field, to_state)
        obj.__dict__["_door_loaded_state"] = to_state
        for effect in workflow.effects_of(from_state, to_state):
            transaction.on_commit(lambda effect=effect: effect(arrival))  # type: ignore[misc]
    return locked


# --- The guard --------------------------------------------------------------------------------


class StateChangedOutsideDoor(RuntimeError):
    """A registered model's state was saved with a new value by code other than the door."""


def _remember_loaded_state(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    workflow = _registry.get(sender)
    if workflow is not None:
        instance.__dict__["_door_loaded_state"] = instance.__dict__.get(workflow.state_field)


def _refuse_state_change_outside_door(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    workflow = _registry.get(sender)
    if workflow is None or instance._state.adding or kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and workflow.state_field not in update_fields:
        return
    new = getattr(instance, workflow.state_field)
    if instance.__dict__.get("_door_loaded_state") == new or (sender, instance.pk) in _inside_door.get():
        return
    # The object may only look changed (refreshed, or copied from another): ask the database.
    stored = sender._default_manager.filter(pk=instance.pk).values_list(workflow.state_field, flat=True).first()
    if stored is None or stored == new:
        return
    raise StateChangedOutsideDoor(
        f"{sender.__name__} {instance.pk}: {workflow.state_field} {stored!r} -> {new!r} "
        "saved outside common.workflow.transition"
    )


def _keep_loaded_state_current(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    workflow = _registry.get(sender)
    if workflow is not None:
        instance.__dict__["_door_loaded_state"] = instance.__dict__.get(workflow.state_field)


def guard_install() -> None:
    """Refuse, for every registered workflow, a save that changes the state
    outside the door (connected once, from ``common.apps``)."""
    from django.db.models.signals import post_save

    post_init.connect(_remember_loaded_state, dispatch_uid="workflow_remember_state")
    pre_save.connect(_refuse_state_change_outside_door, dispatch_uid="workflow_guard")
    post_save.connect(_keep_loaded_state_current, dispatch_uid="workflow_keep_state")


# --- Reading the moves back -------------------------------------------------------------------


@dataclass(frozen=True)
class StateChange:
    """One move as the history recorded it (a ``<workflow>.state`` row), in the
    shape pages show: from, to, who, when, note."""

    from_state: str
    to_state: str
    by: Any
    at: datetime
    note: str
    labels: Mapping[str, str]

    def get_from_state_display(self) -> str:
        return self.labels.get(self.from_state, self.from_state)

    def get_to_state_display(self) -> str:
        return self.labels.get(self.to_state, self.to_state)


# Per workflow, compiled once per process: a case's page reads its moves each time.
_state_reads: dict[str, Prepared[Any]] = {}


def state_read(workflow: str) -> Prepared[Any]:
    """The read of a record's moves through ``workflow``, oldest first, with who made them."""
    from common.models import ActivityLog

    if workflow not in _state_reads:
        _state_reads[workflow] = Prepared(
            lambda content_type_id, object_id: (
                ActivityLog.objects.filter(
                    content_type_id=content_type_id,
                    object_id=object_id,
                    # A birth that records its first state (``<workflow>.created`` with a
                    # ``state`` value) opens the list.
                    action__in=[f"{workflow}.created", f"{workflow}.state"],
                )
                .select_related("actor")
                .order_by("at", "id")
            )
        )
    return _state_reads[workflow]


def state_changes_of(obj: models.Model, *, workflow: str, state_field: str = "state") -> list[StateChange]:
    """Every move of ``obj`` through the workflow named ``workflow``, oldest
    first, read from the one history (the door writes them; there is no table
    of transitions besides it)."""
    from django.contrib.contenttypes.models import ContentType

    model = type(obj)
    labels = _choices(model, state_field)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    rows = state_read(workflow).all(content_type.pk, obj.pk)
    changes = []
    for row in rows:
        if "state" not in row.data:
            continue
        before, after = [*(row.data.get("state") or []), "", ""][:2]
        changes.append(
            StateChange(
                from_state=before or "", to_state=after, by=row.actor, at=row.at, note=row.reason, labels=labels
            )
        )
    return changes
