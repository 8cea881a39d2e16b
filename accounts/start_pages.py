"""Each role's start page, registered by the app that draws it.

The accounts app routes a person to their start page after login but must not
import the apps above it (clusters, assessments, labels). So each app
registers its pages here from its ``AppConfig.ready``, and accounts only asks
"which registered pages does this user's role open?".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts import rules as account_rules
from common.http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class StartPage:
    role: str
    title: str | Promise
    url_name: str
    predicate: Callable[[object], bool]
    order: int


_registry: dict[str, StartPage] = {}


def register(page: StartPage) -> None:
    """Register (or replace, so reloading an app is harmless) a role's page."""
    _registry[page.role] = page


def registered() -> list[StartPage]:
    return sorted(_registry.values(), key=lambda page: page.order)


def start_pages_for(user: object) -> list[StartPage]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [page for page in registered() if page.predicate(user)]


@dataclass(frozen=True)
class FirstStep:
    """Something a person without any role can do (register an organisation, say)."""

    title: str | Promise
    text: str | Promise
    url_name: str


_first_steps: dict[str, FirstStep] = {}


def register_first_step(step: FirstStep) -> None:
    _first_steps[step.url_name] = step


def first_steps() -> list[FirstStep]:
    return list(_first_steps.values())


@dataclass(frozen=True)
class Panel:
    """A block an upper app adds to a role's start page (the manager's page
    lists the organisation's applications, which clusters does not know)."""

    role: str
    template: str
    # Called with the request of the start page, a guarded view.
    context: Callable[[AuthenticatedHttpRequest], dict[str, object]]
    order: int = 50
    # Drawn once per reader, language, day and history version, and kept (common.kept): for a
    # panel that reads only records every change of leaves a history row (not stored figures).
    kept: bool = False


_panels: dict[tuple[str, str], Panel] = {}


def register_panel(panel: Panel) -> None:
    _panels[(panel.role, panel.template)] = panel


def panels_for(role: str) -> list[Panel]:
    return sorted((p for p in _panels.values() if p.role == role), key=lambda p: p.order)


def register_accounts_pages() -> None:
    register(StartPage("assessor", _("Assessor"), "accounts:assessor_start", account_rules.is_assessor, 40))
