"""Facts assessments needs from the apps above it, provided by them.

Silver is a second benchmarking 18 to 24 months after a first one. Past benchmarkings
live in two places: awarded Bronze applications here, and labels (imported
from before the portal) in the labels app, which assessments must not import.
So labels registers a lookup at start-up, and assessments asks this module.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessments.enums import ApplicationState
from assessments.models import Application
from clusters.models import ClusterOrganisation
from common.enums import Level

BronzeLookup = Callable[[Collection[int]], dict[int, list[date]]]
LevelsLookup = Callable[[Collection[int]], dict[int, str]]
_lookups: dict[str, BronzeLookup] = {}
_level_lookups: dict[str, LevelsLookup] = {}


def register_bronze_lookup(name: str, lookup: BronzeLookup) -> None:
    _lookups[name] = lookup


def bronze_benchmarkings_of(organisation_ids: Collection[int]) -> dict[int, list[date]]:
    """Per organisation, the dates of its Bronze benchmarkings wherever they are recorded, oldest
    first; one query here and one per lookup, whatever the number of organisations (start pages)."""
    dates: dict[int, set[date]] = {pk: set() for pk in organisation_ids}
    own = Application.objects.filter(
        organisation_id__in=dates, level=Level.BRONZE, state=ApplicationState.AWARDED, assessed_on__isnull=False
    ).values_list("organisation_id", "assessed_on")
    for pk, day in own:
        if day is not None:
            dates[pk].add(day)
    for lookup in _lookups.values():
        for pk, days in lookup(list(dates)).items():
            dates[pk].update(day for day in days if day is not None)
    return {pk: sorted(days) for pk, days in dates.items()}


def bronze_benchmarkings(organisation: ClusterOrganisation) -> list[date]:
    """The dates of the organisation's Bronze benchmarkings, wherever they are recorded, oldest first."""
    return bronze_benchmarkings_of([organisation.pk])[organisation.pk]


def latest_bronze_benchmarking(organisation: ClusterOrganisation) -> date | None:
    """The date of the organisation's most recent Bronze benchmarking, wherever it is recorded."""
    dates = bronze_benchmarkings(organisation)
    return dates[-1] if dates else None


@dataclass(frozen=True)
class RenewalWindow:
    """When the current label of a level may be renewed: from ``opens_on`` to ``closes_on`` (inclusive)."""

    label_code: str
    valid_until: date
    opens_on: date
    closes_on: date


RenewalLookup = Callable[[ClusterOrganisation, Level], RenewalWindow | None]
_renewal_lookups: dict[str, RenewalLookup] = {}


def register_renewal_lookup(name: str, lookup: RenewalLookup) -> None:
    _renewal_lookups[name] = lookup


def renewal_window(organisation: ClusterOrganisation, level: Level) -> RenewalWindow | None:
    """The renewal window of the organisation's current label of that level (labels provides it), or None."""
    for lookup in _renewal_lookups.values():
        window = lookup(organisation, level)
        if window is not None:
            return window
    return None


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


WithdrawHook = Callable[[Application, Any], None]
_withdraw_hooks: dict[str, WithdrawHook] = {}


def register_withdraw_hook(name: str, hook: WithdrawHook) -> None:
    _withdraw_hooks[name] = hook


def application_withdrawn(application: Application, by: Any) -> None:
    """Run, inside the withdrawal's transaction, what the apps above undo for a withdrawn case
    (billing credits its open invoice)."""
    for hook in _withdraw_hooks.values():
        hook(application, by)


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
