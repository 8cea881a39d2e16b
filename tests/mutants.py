"""Mutants for ``make proof``: the rules loosened one at a time, which the suite must notice.

A mutant is named by ``PROOF_MUTANT`` in the environment of a test run:

- ``permission:<name>``: the django-rules permission ``<name>`` allows everyone
  (``rules.always_allow``), in services, views and templates alike;
- ``scope:<name>``: one scoping read returns everything instead of what the
  person may see (the filter removed), everywhere it is used.

``tests/conftest.py`` applies the mutant for the whole session; ``tests/proof.py``
runs the suite once per mutant and reports the survivors (runs that passed).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import rules

PORTAL_APPS = ("accounts", "assessments", "billing", "clusters", "common", "labels", "privacy")


def permission_names() -> list[str]:
    """Every permission the portal declares (django-rules), sorted."""
    from rules.permissions import permissions

    return sorted(name for name in permissions if name.split(".", 1)[0] in PORTAL_APPS)


def _everything_applications(user: Any) -> Any:
    from assessments.models import Application

    return Application.objects.all()


def _everything_organisations(user: Any) -> Any:
    from clusters.models import ClusterOrganisation

    return ClusterOrganisation.objects.all()


def _every_country(user: Any) -> set[str]:
    from clusters.models import ClusterOrganisation

    return {str(code) for code in ClusterOrganisation.objects.order_by().values_list("country", flat=True).distinct()}


def _everyones_applications(user: Any) -> Any:
    from assessments.models import Application

    return Application.objects.select_related("organisation", "version").order_by("-created_at")


def _everyones_pipeline(user: Any) -> Any:
    from assessments.models import Application
    from assessments.rules import IN_PROGRESS_STATES

    return Application.objects.filter(state__in=IN_PROGRESS_STATES).select_related("organisation").order_by("pk")


def _everyones_assignments(user: Any) -> Any:
    from assessments.enums import AssignmentState
    from assessments.models import Assignment

    return Assignment.objects.filter(state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED]).select_related(
        "application__organisation"
    )


def _everyones_memberships(user: Any) -> Any:
    from django.db.models import Count, Q

    from clusters.models import Membership

    return (
        Membership.objects.filter(left_at__isnull=True)
        .select_related("organisation")
        .annotate(
            people=Count(
                "organisation__memberships", filter=Q(organisation__memberships__left_at__isnull=True), distinct=True
            )
        )
    )


def _everyones_notifications(user: Any) -> Any:
    from common.models import Notification

    return Notification.objects.all()


def _every_country_scope(user: Any, country: str | None = None) -> Any:
    from labels.statistics import Scope

    return Scope(countries=(country,) if country else None)


def _every_invoice(user: Any) -> Any:
    from billing.models import Invoice

    return Invoice.objects.select_related("application__organisation", "payer", "credits")


def _every_quote(user: Any) -> Any:
    from billing.models import Quote

    return Quote.objects.select_related("application__organisation", "payer")


# What each scoping read returns with its filter removed.
SCOPES: dict[str, Callable[..., Any]] = {
    "assessments.selectors.applications_visible_to": _everything_applications,
    "assessments.selectors.applications_for_user_organisations": _everyones_applications,
    "assessments.selectors.assessor_cases": _everyones_assignments,
    "assessments.pipeline.pipeline_for": _everyones_pipeline,
    "clusters.selectors.organisations_visible_to": _everything_organisations,
    "clusters.selectors.organisations_listed_for": _everything_organisations,
    "clusters.selectors.memberships_of": _everyones_memberships,
    "clusters.rules.partner_countries_of": _every_country,
    "common.selectors.notifications_of": _everyones_notifications,
    "labels.statistics.scope_for": _every_country_scope,
    "billing.selectors.documents_for": _every_invoice,
    "billing.selectors.quotes_for": _every_quote,
}


def mutant_names() -> list[str]:
    return [f"permission:{name}" for name in permission_names()] + [f"scope:{name}" for name in SCOPES]


def _replace_everywhere(dotted: str, replacement: Callable[..., Any]) -> None:
    """Put ``replacement`` wherever the original is bound: its module and every module that imported it by name."""
    module_name, attribute = dotted.rsplit(".", 1)
    __import__(module_name)
    original = getattr(sys.modules[module_name], attribute)
    for module in list(sys.modules.values()):
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if value is original:
                setattr(module, name, replacement)


def mutant_apply(mutant: str) -> None:
    kind, _, name = mutant.partition(":")
    if kind == "permission":
        if name not in permission_names():
            raise LookupError(f"no permission {name!r}")
        rules.set_perm(name, rules.always_allow)
    elif kind == "scope":
        _replace_everywhere(name, SCOPES[name])
    else:
        raise LookupError(f"unknown mutant {mutant!r}")


def mutant_from_environment() -> str:
    return os.environ.get("PROOF_MUTANT", "")
