"""Facts assessments needs from the apps above it, provided by them.

Silver needs "a Bronze benchmarking 18 to 24 months old". Past benchmarkings
live in two places: awarded Bronze applications here, and labels (imported
from before the portal) in the labels app, which assessments must not import.
So labels registers a lookup at start-up, and assessments asks this module.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from django.db.models import Max

from assessments.enums import ApplicationState
from assessments.models import Application
from clusters.models import ClusterOrganisation
from common.enums import Level

BronzeLookup = Callable[[ClusterOrganisation], date | None]
LevelsLookup = Callable[[Collection[int]], dict[int, str]]
_lookups: dict[str, BronzeLookup] = {}
_level_lookups: dict[str, LevelsLookup] = {}


def register_bronze_lookup(name: str, lookup: BronzeLookup) -> None:
    _lookups[name] = lookup


def latest_bronze_benchmarking(organisation: ClusterOrganisation) -> date | None:
    """The date of the organisation's most recent Bronze benchmarking, wherever it is recorded."""
    own = Application.objects.filter(
        organisation=organisation, level=Level.BRONZE, state=ApplicationState.AWARDED
    ).aggregate(latest=Max("assessed_on"))["latest"]
    dates = [own, *(lookup(organisation) for lookup in _lookups.values())]
    known = [day for day in dates if day is not None]
    return max(known) if known else None


def register_levels_lookup(name: str, lookup: LevelsLookup) -> None:
    _level_lookups[name] = lookup


def levels_held_elsewhere(organisation_ids: Collection[int]) -> list[dict[int, str]]:
    """The level each organisation holds according to the apps above (its labels), one dict per lookup."""
    return [lookup(organisation_ids) for lookup in _level_lookups.values()]


# --- Hooks of the apps above (billing): told, never asked by name -----------------------------

StartHook = Callable[[Application, Any], None]
AssignmentCheck = Callable[[Application], str | None]
PanelContext = Callable[[Any, Application], dict[str, Any] | None]
_start_hooks: dict[str, StartHook] = {}
_assignment_checks: dict[str, AssignmentCheck] = {}
_case_panels: dict[str, tuple[str, PanelContext]] = {}


def register_start_hook(name: str, hook: StartHook) -> None:
    _start_hooks[name] = hook


def application_started(application: Application, by: Any) -> None:
    """Run, inside the start's transaction, what the apps above add to a new case (its quote)."""
    for hook in _start_hooks.values():
        hook(application, by)


SubmitHook = Callable[[Application], None]
_submit_hooks: dict[str, SubmitHook] = {}


def register_submit_hook(name: str, hook: SubmitHook) -> None:
    _submit_hooks[name] = hook


def application_submitted(application: Application) -> None:
    """Run, inside the submission's transaction, what the apps above add to a submitted case."""
    for hook in _submit_hooks.values():
        hook(application)


def register_assignment_check(name: str, check: AssignmentCheck) -> None:
    _assignment_checks[name] = check


def assignment_blockers(application: Application) -> list[str]:
    """Why assessors may not be assigned yet, by the apps above (payment first, if configured)."""
    return [reason for check in _assignment_checks.values() if (reason := check(application))]


def register_case_panel(name: str, template: str, context: PanelContext) -> None:
    _case_panels[name] = (template, context)


def case_panels(request: Any, application: Application) -> list[dict[str, Any]]:
    """The blocks the apps above add to a case's page, for who is looking (None: nothing to show)."""
    panels = []
    for template, context in _case_panels.values():
        values = context(request, application)
        if values is not None:
            panels.append({"template": template, "context": values})
    return panels
