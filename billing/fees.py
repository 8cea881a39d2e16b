"""Experts' fees: a fee per completed case and role, from ``BILLING["expert_fees"]``.

A case counts for the month its interview or visit took place (``assessed_on``)
once the expert's part is done: the case was decided (awarded or refused). The
role follows the level (Bronze benchmarker, Silver auditor, Gold assessor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from accounts.models import User
from assessments.enums import ApplicationState, AssignmentState
from assessments.models import Assignment

COMPLETED = (ApplicationState.AWARDED, ApplicationState.REFUSED)
STATEMENT_COLUMNS = ["expert", "email", "case", "organisation", "level", "role", "assessed_on", "fee", "currency"]


@dataclass(frozen=True)
class FeeLine:
    expert: User
    application_id: int
    organisation: str
    level: str
    role: str
    assessed_on: date
    fee: Decimal


def fee_for(level: str) -> tuple[str, Decimal]:
    """The role an expert plays at a level and its fee per case."""
    (role, amount), *_rest = settings.BILLING["expert_fees"][level].items()
    return role, Decimal(amount)


def expert_statement(*, year: int, month: int, expert: User | None = None) -> list[FeeLine]:
    """The month's completed cases per expert (one line per case and expert), oldest first."""
    assignments = (
        Assignment.objects.filter(
            state=AssignmentState.ACCEPTED,
            application__state__in=COMPLETED,
            application__assessed_on__year=year,
            application__assessed_on__month=month,
        )
        .select_related("assessor", "application__organisation")
        .order_by("assessor__email", "application__assessed_on", "application_id")
    )
    if expert is not None:
        assignments = assignments.filter(assessor=expert)
    lines = []
    for assignment in assignments:
        application = assignment.application
        role, fee = fee_for(application.level)
        assert application.assessed_on is not None  # filtered on it
        lines.append(
            FeeLine(
                expert=assignment.assessor,
                application_id=application.pk,
                organisation=application.organisation.name,
                level=application.level,
                role=role,
                assessed_on=application.assessed_on,
                fee=fee,
            )
        )
    return lines
