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


def statement_total(lines: list[FeeLine]) -> Decimal:
    return sum((line.fee for line in lines), Decimal("0.00"))


def statement_pdf(*, expert: User, year: int, month: int, lines: list[FeeLine]) -> bytes:
    """One expert's statement of a month as a PDF (a page or two: drawn on request)."""
    # Imported here on purpose (as in common.pdf): WeasyPrint is costly to load.
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from common.pdf_fetcher import PortalURLFetcher, static_base_url

    html = render_to_string(
        "billing/fee_statement_pdf.html",
        {
            "expert": expert,
            "month": date(year, month, 1),
            "lines": lines,
            "total": statement_total(lines),
            "currency": settings.BILLING["currency"],
            "seller": settings.BILLING_SELLER,
        },
    )
    return bytes(HTML(string=html, base_url=static_base_url(), url_fetcher=PortalURLFetcher()).write_pdf())
