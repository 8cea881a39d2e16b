"""What billing adds to the assessment workflow, registered in ``assessments.providers``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.enums import StaffRole
from accounts.selectors import people_with_role
from assessments.models import Application
from billing.enums import InvoiceState
from billing.selectors import amount_paid, case_is_paid, live_invoice, quote_of
from billing.services import credit_note_issue, invoice_issue, price_missing_for, quote_create
from common.enums import Level
from common.notify import notify


def quote_on_start(application: Application, by: Any) -> None:
    """The case's quote as it starts. A price list without a price for the service never stops an
    organisation from applying: the case starts without a quote, the office is told, and the quote is
    written when the case is invoiced or given a payer (priced on its start day)."""
    if price_missing_for(application):
        transaction.on_commit(
            lambda: notify(
                people=people_with_role(StaffRole.LABEL_OFFICE),
                template="billing/email/price_missing",
                context={"application": application},
                url=reverse("billing:prices"),
            )
        )
        return
    quote_create(application=application, by=by)


def invoice_on_submission(application: Application) -> None:
    """With ``BILLING["invoice_at"] == "submission"`` the system issues the invoice as the case is submitted."""
    if settings.BILLING["invoice_at"] == "submission":
        invoice_issue(application=application, by=None)


# What a credit note may cancel (the invoice workflow's moves into credited); a paid
# invoice is settled: whether to refund is the office's call, outside the portal.
CREDITABLE = (InvoiceState.ISSUED, InvoiceState.PARTLY_PAID, InvoiceState.OVERDUE)


def credit_on_withdrawal(application: Application, by: Any) -> None:
    """A withdrawn case owes nothing more: the system credits its open invoice in the
    withdrawal's transaction and tells the office (which refunds what was paid, or
    decides about a paid invoice); a case without an invoice needs nothing."""
    invoice = live_invoice(application)
    if invoice is None:
        return
    credit_note = None
    if invoice.state in CREDITABLE:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("The organisation withdrew the application.")
        credit_note = credit_note_issue(invoice=invoice, by=None, reason=reason)
    paid = amount_paid(invoice)
    transaction.on_commit(
        lambda: notify(
            people=people_with_role(StaffRole.LABEL_OFFICE),
            template="billing/email/withdrawn",
            context={"application": application, "invoice": invoice, "credit_note": credit_note, "paid": paid},
            url=reverse("billing:invoice", args=[invoice.pk]),
        )
    )


def payment_required() -> bool:
    return bool(settings.BILLING["payment_before_assignment"])


def payment_blocker(application: Application) -> str | None:
    """With the setting on, assessors wait for the case's invoice to be paid."""
    if not payment_required() or case_is_paid(application):
        return None
    return _("The label office assigns assessors once the case's invoice is paid.")


def case_panel(request: Any, application: Application) -> dict[str, Any] | None:
    """The quote, the invoice and what is paid, on the case's page, for those who may read them."""
    user = request.user
    if not user.has_perm("billing.view_case_billing", application):
        return None
    invoice = live_invoice(application)
    # With its payer, which the panel names, in the same query.
    quote = quote_of(application)
    may_issue = invoice is None and user.has_perm("billing.issue_invoice", application)
    return {
        "quote": quote,
        "invoice": invoice,
        "paid": amount_paid(invoice) if invoice else None,
        "payment_required": payment_required() and not case_is_paid(application),
        "can_issue": may_issue,
        # Only Bronze is priced by how the interview is held.
        "can_reprice": may_issue and quote is not None and application.level == Level.BRONZE,
        "can_set_payer": invoice is None and user.has_perm("billing.set_payer", application),
        "application": application,
    }


def no_context(request: Any) -> dict[str, object]:
    return {}
