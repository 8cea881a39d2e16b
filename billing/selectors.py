"""Reads of billing that several places share, each scoped to what the person may see."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from accounts.rules import is_label_office
from assessments.enums import CLOSED_STATES
from assessments.models import Application
from billing.enums import OPEN_STATES, Delivery, DocumentKind, InvoiceState
from billing.models import Invoice, PriceEntry, Quote
from clusters.enums import MembershipRole
from clusters.rules import partner_countries_of
from common.prepared import Prepared


def price_for(level: str, kind: str, delivery: str, on: date) -> PriceEntry | None:
    """The price of a service valid on a day: the newest entry started by then, for
    the delivery asked or, failing one, for any delivery."""
    entries = PriceEntry.objects.filter(level=level, kind=kind, valid_from__lte=on).order_by("-valid_from")
    return entries.filter(delivery=delivery).first() or entries.filter(delivery=Delivery.ANY).first()


# Read on every page of a case: compiled once per process.
_live_invoice = Prepared(
    lambda application_id: (
        Invoice.objects.filter(application_id=application_id, kind=DocumentKind.INVOICE)
        .exclude(state=InvoiceState.CREDITED)
        .order_by("pk")[:1]
    )
)
_quote = Prepared(
    lambda application_id: (
        Quote.objects.filter(application_id=application_id).select_related("payer").order_by("pk")[:1]
    )
)


def live_invoice(application: Application) -> Invoice | None:
    """The case's invoice that has not been credited, if any."""
    return _live_invoice.first(application.pk)


def quote_of(application: Application) -> Quote | None:
    """The case's quote with its payer, if any."""
    return _quote.first(application.pk)


def amount_paid(invoice: Invoice) -> Decimal:
    return invoice.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def case_is_paid(application: Application) -> bool:
    invoice = live_invoice(application)
    return invoice is not None and invoice.state == InvoiceState.PAID


def _partner_ids(user: Any) -> list[int]:
    return list(user.partner_staff.values_list("partner_id", flat=True))


def documents_for(user: Any) -> QuerySet[Invoice]:
    """Every invoice and credit note the person may read: all for the office; his
    organisations' for a manager; what their partner pays for, for partner staff."""
    documents = Invoice.objects.select_related("application__organisation", "payer", "credits")
    if is_label_office(user):
        return documents
    return documents.filter(
        Q(
            application__organisation__memberships__user=user,
            application__organisation__memberships__left_at__isnull=True,
            application__organisation__memberships__role=MembershipRole.MANAGER,
        )
        | Q(payer__partner_id__in=_partner_ids(user))
    ).distinct()


def quotes_for(user: Any) -> QuerySet[Quote]:
    quotes = Quote.objects.select_related("application__organisation", "payer")
    if is_label_office(user):
        return quotes
    return quotes.filter(
        Q(
            application__organisation__memberships__user=user,
            application__organisation__memberships__left_at__isnull=True,
            application__organisation__memberships__role=MembershipRole.MANAGER,
        )
        | Q(payer__partner_id__in=_partner_ids(user))
    ).distinct()


def open_invoices() -> QuerySet[Invoice]:
    """The office's list: invoices not yet paid or credited, the overdue first."""
    return (
        Invoice.objects.filter(kind=DocumentKind.INVOICE, state__in=OPEN_STATES)
        .select_related("application__organisation", "payer")
        .annotate(paid=Coalesce(Sum("payments__amount"), Value(Decimal("0.00"))))
        .order_by("due_on", "number")
    )


def cases_to_sponsor(user: Any) -> QuerySet[Application]:
    """Open cases of a national partner's countries, not yet invoiced: those it may name itself payer of."""
    countries = partner_countries_of(user)
    if not countries:
        return Application.objects.none()
    invoiced = Invoice.objects.filter(kind=DocumentKind.INVOICE).exclude(state=InvoiceState.CREDITED)
    return (
        Application.objects.filter(organisation__country__in=countries)
        .exclude(state__in=CLOSED_STATES)
        .exclude(pk__in=invoiced.values("application_id"))
        .select_related("organisation", "quote__payer")
        .order_by("organisation__name", "level")
    )
