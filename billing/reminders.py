"""Overdue invoices and their payment reminders: the daily sweep, each reminder once.

The sweep marks unpaid invoices past their due date overdue (through the door),
then claims each overdue invoice's current reminder (``BILLING["reminder_days_after_due"]``)
by inserting its unique (invoice, offset) row, and tells the payer's people
only when its own insert won: a second sweep, or two at once, send nothing more.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.enums import DocumentKind, InvoiceState
from billing.models import Invoice
from billing.services import invoices_mark_overdue, payment_reminder_claim
from clusters.enums import MembershipRole
from clusters.models import Membership, PartnerStaff
from common.notify import notify


def _payer_people(invoice: Invoice) -> list[object]:
    """Who is told: the staff of the paying partner, else the organisation's managers."""
    if invoice.payer.partner_id:
        return [s.user for s in PartnerStaff.objects.filter(partner_id=invoice.payer.partner_id).select_related("user")]
    return [
        m.user
        for m in Membership.objects.filter(
            organisation=invoice.application.organisation, left_at__isnull=True, role=MembershipRole.MANAGER
        ).select_related("user")
    ]


def _remind(people: list[object], invoice: Invoice, url: str, days: int) -> None:
    notify(
        people=people, template="billing/email/payment_reminder", context={"invoice": invoice, "days": days}, url=url
    )


def payment_reminders_send(*, today: date | None = None) -> int:
    """Mark the overdue, then send each current reminder once. Returns how many went."""
    today = today or timezone.localdate()
    invoices_mark_overdue(today=today)
    sent = 0
    overdue = Invoice.objects.filter(kind=DocumentKind.INVOICE, state=InvoiceState.OVERDUE).select_related(
        "payer", "application__organisation"
    )
    for invoice in overdue:
        reminder = payment_reminder_claim(invoice=invoice, today=today)
        if reminder is None:
            continue
        people = _payer_people(invoice)
        url = reverse("billing:invoice", args=[invoice.pk])
        transaction.on_commit(partial(_remind, people, invoice, url, reminder.days_after_due))
        sent += 1
    return sent


@shared_task(name="billing.send_payment_reminders", acks_late=True)
def send_payment_reminders() -> int:
    """The daily beat task; idempotent (each (invoice, offset) once)."""
    return payment_reminders_send()
