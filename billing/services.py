"""The writes of billing: prices, payers, quotes, invoices, credit notes, payments, reminders.

Each service checks the permission first, then the state, then the input, and
adds its row to the one history in the same transaction. Invoice states move
only through the door (``common.workflow.transition`` with ``INVOICE_WORKFLOW``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.enums import ApplicationState
from assessments.models import Application
from assessments.providers import levels_held_elsewhere
from billing.documents import invoice_pdf_queue
from billing.enums import OPEN_STATES, Delivery, DocumentKind, InvoiceState, PayerKind, ServiceKind
from billing.models import Invoice, InvoiceCounter, InvoiceLine, Payer, Payment, PaymentReminder, PriceEntry, Quote
from billing.selectors import amount_paid, live_invoice, price_for
from billing.transitions import MOVES
from billing.vat import Buyer, VatDecision, money, vat_decide, vat_number_normalise
from clusters.models import ClusterOrganisation, NationalPartner
from common.enums import Level
from common.errors import ActionRefused
from common.request_cache import forget
from common.services import history_record
from common.workflow import Workflow, transition, workflow_register

INVOICE_WORKFLOW: Workflow[Invoice] = workflow_register(
    Workflow(
        name="invoice",
        model=Invoice,
        moves=MOVES,
        refusal=gettext_lazy("An invoice cannot go from %(from)s to %(to)s."),
        note_refusal=gettext_lazy("Please give the reason for the credit note."),
    )
)


def _money_text(value: Decimal) -> str:
    return f"{value:.2f}"


# --- Prices ------------------------------------------------------------------------------------


def price_set(
    *, level: Level, kind: ServiceKind, delivery: Delivery, amount: Decimal, valid_from: date, by: Any
) -> PriceEntry:
    """A new price for a service from a day on; earlier quotes and invoices keep theirs.

    Side effects: a history row ``price.created``.
    """
    if not by.has_perm("billing.manage_prices"):
        raise PermissionDenied
    if amount < 0:
        raise ActionRefused(_("A price cannot be negative."))
    if PriceEntry.objects.filter(level=level, kind=kind, delivery=delivery, valid_from=valid_from).exists():
        raise ActionRefused(_("This service already has a price starting that day."))
    with transaction.atomic():
        entry = PriceEntry.objects.create(
            level=level,
            kind=kind,
            delivery=delivery,
            amount=money(amount),
            currency=settings.BILLING["currency"],
            valid_from=valid_from,
        )
        history_record(
            obj=entry,
            action="price.created",
            by=by,
            data={"amount": _money_text(entry.amount), "valid_from": valid_from.isoformat()},
        )
    return entry


# --- Payers and quotes ----------------------------------------------------------------------------


def _organisation_payer(organisation: ClusterOrganisation) -> Payer:
    """The organisation as its own payer, from its profile (the first time it is needed)."""
    payer = Payer.objects.filter(kind=PayerKind.ORGANISATION, organisation=organisation).order_by("-pk").first()
    if payer is not None:
        return payer
    payer = Payer.objects.create(
        kind=PayerKind.ORGANISATION,
        organisation=organisation,
        name=organisation.name,
        street=organisation.address or organisation.city or "-",
        city=organisation.city or "-",
        country=organisation.country,
        email=organisation.contact_email,
    )
    history_record(obj=payer, action="payer.created", by=None, data={"name": payer.name})
    return payer


def _describe(level: str, kind: str, delivery: str) -> str:
    parts = [ServiceKind(kind).label] + ([Delivery(delivery).label] if delivery != Delivery.ANY else [])
    return f"{Level(level).label} label assessment ({', '.join(str(p) for p in parts)})"


def _delivery_for(level: str) -> str:
    """Bronze is priced by how the interview is held (by video until the office says otherwise)."""
    return Delivery.VIDEO if level == Level.BRONZE else Delivery.ANY


def _is_renewal(application: Application) -> bool:
    """The organisation was awarded this level before, here or (imported labels) in the apps above."""
    organisation_id = application.organisation_id
    earlier = Application.objects.filter(
        organisation_id=organisation_id, level=application.level, state=ApplicationState.AWARDED
    ).exclude(pk=application.pk)
    held = levels_held_elsewhere([organisation_id])
    return earlier.exists() or any(levels.get(organisation_id) == application.level for levels in held)


# The scheme's public price list (DOMAIN.md, EUR without VAT), valid from 2020-01-01. Bronze and
# Silver renewals cost what a first label costs (the public list names no other price).
PUBLIC_PRICES_FROM = "2020-01-01"
PUBLIC_PRICES = [
    ("bronze", "new", "video", "1650.00"),
    ("bronze", "new", "on_site", "2250.00"),
    ("bronze", "renewal", "video", "1650.00"),
    ("bronze", "renewal", "on_site", "2250.00"),
    ("silver", "new", "any", "3620.00"),
    ("silver", "renewal", "any", "3620.00"),
    ("gold", "new", "any", "8250.00"),
    ("gold", "renewal", "any", "6765.00"),
]


def public_prices_ensure(price_model: Any = None) -> None:
    """The public price list, where it is missing (a new database, the demo): never changes a price the
    office keeps. ``price_model`` is the migration's historical model."""
    model = price_model or PriceEntry
    for level, kind, delivery, amount in PUBLIC_PRICES:
        model.objects.get_or_create(
            level=level,
            kind=kind,
            delivery=delivery,
            valid_from=PUBLIC_PRICES_FROM,
            defaults={"amount": Decimal(amount), "currency": "EUR"},
        )


def price_missing_for(application: Application) -> bool:
    """Whether the price list has no price for the case's service on its start day."""
    kind = ServiceKind.RENEWAL if _is_renewal(application) else ServiceKind.NEW
    priced_on = timezone.localdate(application.created_at)
    return price_for(application.level, kind, _delivery_for(application.level), priced_on) is None


def quote_create(*, application: Application, by: Any) -> Quote:
    """The case's quote at its start: the price valid on the day it started, the organisation paying.

    Called by ``application_start`` (through ``assessments.providers``), after its
    permission check, in its transaction. Side effects: a history row ``quote.created``
    (and ``payer.created`` the first time the organisation pays).
    """
    if hasattr(application, "quote"):
        return application.quote
    kind = ServiceKind.RENEWAL if _is_renewal(application) else ServiceKind.NEW
    delivery = _delivery_for(application.level)
    priced_on = timezone.localdate(application.created_at)
    price = price_for(application.level, kind, delivery, priced_on)
    if price is None:
        raise ActionRefused(_("The price list has no price for this service yet: ask the label office."))
    quote = Quote.objects.create(
        application=application,
        payer=_organisation_payer(application.organisation),
        kind=kind,
        delivery=price.delivery if price.delivery != Delivery.ANY else delivery,
        description=_describe(application.level, kind, delivery),
        net_amount=price.amount,
        currency=price.currency,
        priced_on=priced_on,
    )
    history_record(
        obj=quote,
        action="quote.created",
        by=by,
        data={"net_amount": _money_text(quote.net_amount), "priced_on": priced_on.isoformat(), "price": price.pk},
    )
    return quote


def quote_delivery_set(*, quote: Quote, delivery: Delivery, by: Any) -> Quote:
    """The office records how a Bronze interview is held; the quote is priced again on its start day.

    Side effects: a history row ``quote.repriced``.
    """
    if not by.has_perm("billing.issue_invoice"):
        raise PermissionDenied
    with transaction.atomic():
        quote = Quote.objects.select_for_update().select_related("application").get(pk=quote.pk)
        if live_invoice(quote.application) is not None:
            raise ActionRefused(_("The case is invoiced: credit the invoice before changing its quote."))
        price = price_for(quote.application.level, quote.kind, delivery, quote.priced_on)
        if price is None:
            raise ActionRefused(_("The price list has no price for this service yet: ask the label office."))
        before = quote.net_amount
        quote.delivery = delivery
        quote.net_amount = price.amount
        quote.description = _describe(quote.application.level, quote.kind, delivery)
        quote.save(update_fields=["delivery", "net_amount", "description"])
        history_record(
            obj=quote,
            action="quote.repriced",
            by=by,
            data={"net_amount": [_money_text(before), _money_text(quote.net_amount)], "delivery": delivery},
        )
    return quote


def payer_set(
    *,
    application: Application,
    by: Any,
    kind: PayerKind,
    name: str,
    street: str,
    postcode: str,
    city: str,
    country: str,
    vat_number: str = "",
    is_business: bool = True,
    email: str = "",
    partner: NationalPartner | None = None,
) -> Payer:
    """Name who pays a case: the organisation, a national partner or a programme, with billing details.

    The VAT number is checked for its country's format and check digits. Refused
    once the case is invoiced (credit the invoice first). Side effects: a history
    row ``payer.created`` and one ``quote.payer`` on the quote.
    """
    if not by.has_perm("billing.set_payer", application):
        raise PermissionDenied
    # A case started before billing existed is quoted now, still priced on its start day.
    quote = Quote.objects.filter(application=application).first() or quote_create(application=application, by=by)
    if live_invoice(application) is not None:
        raise ActionRefused(_("The case is invoiced: credit the invoice before changing who pays."))
    if kind == PayerKind.PARTNER and partner is None:
        raise ActionRefused(_("Choose the national partner that pays."))
    # A partner's staff may name their own partner only; the office any.
    mine = (
        partner is None or by.has_perm("billing.issue_invoice", application) or partner.staff.filter(user=by).exists()
    )
    if not mine:
        raise ActionRefused(_("You may name only your own national partner as payer."))
    try:
        vat_number = vat_number_normalise(vat_number, country)
    except ValueError:
        raise ActionRefused(_("This VAT number is not valid for the payer's country.")) from None
    with transaction.atomic():
        payer = Payer.objects.create(
            kind=kind,
            organisation=application.organisation if kind == PayerKind.ORGANISATION else None,
            partner=partner if kind == PayerKind.PARTNER else None,
            name=name.strip(),
            street=street.strip(),
            postcode=postcode.strip(),
            city=city.strip(),
            country=country,
            vat_number=vat_number,
            is_business=is_business,
            email=email.strip(),
        )
        history_record(obj=payer, action="payer.created", by=by, data={"name": payer.name, "kind": kind})
        before = quote.payer_id
        Quote.objects.filter(pk=quote.pk).update(payer=payer)
        history_record(obj=quote, action="quote.payer", by=by, data={"payer": [before, payer.pk]})
    return payer


# --- Invoices --------------------------------------------------------------------------------------


def _next_number(year: int) -> tuple[int, str]:
    """The year's next number, under the counter row's lock: held until the issuing
    transaction ends, so two issues at once wait for each other and never share
    or skip a number (a rollback gives the number back with the row)."""
    InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{year}-{counter.last:05d}"


def _buyer_of(payer: Payer) -> dict[str, Any]:
    return {
        "name": payer.name,
        "street": payer.street,
        "postcode": payer.postcode,
        "city": payer.city,
        "country": payer.country.code,
        "vat_number": payer.vat_number,
        "is_business": payer.is_business,
        "email": payer.email,
    }


def _document_create(
    *,
    kind: DocumentKind,
    application: Application,
    payer: Payer,
    buyer: dict[str, Any],
    lines: Sequence[tuple[str, Decimal, Decimal]],
    vat: VatDecision,
    issued_on: date,
    by: Any,
    credits: Invoice | None = None,
) -> Invoice:
    """Number and write a document with its lines, each line rounded on its own."""
    sequence, number = _next_number(issued_on.year)
    rounded = []
    for description, quantity, unit_price in lines:
        net = money(quantity * unit_price)
        rounded.append((description, quantity, unit_price, net, money(net * vat.rate / 100)))
    net_total = sum((line[3] for line in rounded), Decimal("0.00"))
    vat_total = sum((line[4] for line in rounded), Decimal("0.00"))
    invoice = Invoice.objects.create(
        kind=kind,
        year=issued_on.year,
        sequence=sequence,
        number=number,
        credits=credits,
        application=application,
        payer=payer,
        buyer=buyer,
        seller=dict(settings.BILLING_SELLER),
        issued_on=issued_on,
        supplied_on=issued_on,
        due_on=issued_on + timedelta(days=settings.BILLING["payment_days"]),
        currency=settings.BILLING["currency"],
        vat_rule=vat.rule,
        vat_category=vat.category,
        vat_rate=vat.rate,
        vat_note=vat.note,
        net_total=net_total,
        vat_total=vat_total,
        gross_total=net_total + vat_total,
        issued_by=by,
    )
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=position,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                net_amount=net,
                vat_amount=tax,
            )
            for position, (description, quantity, unit_price, net, tax) in enumerate(rounded, start=1)
        ]
    )
    return invoice


def invoice_issue(*, application: Application, by: Any, today: date | None = None) -> Invoice:
    """The office issues the case's invoice from its quote, to its payer, with the VAT rule of the day.

    Side effects: the year's counter advances (locked until commit); a history row
    ``invoice.issued``; the PDF with its EN 16931 XML rendered by the worker after commit.
    """

    # ``by`` None is the system: the invoice at submission, when the configuration says so.
    if by is not None and not by.has_perm("billing.issue_invoice", application):
        raise PermissionDenied
    issued_on = today or timezone.localdate()
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        forget()  # rules answer from rows read under the lock, not earlier in the request
        if live_invoice(application) is not None:
            raise ActionRefused(_("This case already has an invoice."))
        # A case started before billing existed is quoted now, still priced on its start day.
        quote = Quote.objects.select_related("payer").filter(application=application).first() or quote_create(
            application=application, by=by
        )
        if quote.payer is None:
            raise ActionRefused(_("This case has no quote with a payer."))
        payer = quote.payer
        vat = vat_decide(Buyer(payer.country.code, payer.vat_number, payer.is_business), on=issued_on)
        invoice = _document_create(
            kind=DocumentKind.INVOICE,
            application=application,
            payer=payer,
            buyer=_buyer_of(payer),
            lines=[(quote.description, Decimal("1"), quote.net_amount)],
            vat=vat,
            issued_on=issued_on,
            by=by,
        )
        history_record(
            obj=invoice,
            action="invoice.issued",
            by=by,
            data={"number": invoice.number, "gross_total": _money_text(invoice.gross_total), "state": ["", "issued"]},
        )
        invoice_pdf_queue(invoice)
    return invoice


def credit_note_issue(*, invoice: Invoice, by: Any, reason: str, today: date | None = None) -> Invoice:
    """Cancel an invoice by a credit note that references it: the same lines and VAT, negated.

    Side effects: the invoice moves to credited (the door, with the reason); the
    credit note's number from the year's counter; a history row ``credit_note.issued``;
    its PDF rendered by the worker after commit.
    """

    # ``by`` None is the system: the credit note of a withdrawn case's open invoice.
    if by is not None and not by.has_perm("billing.credit_invoice", invoice):
        raise PermissionDenied
    if invoice.kind != DocumentKind.INVOICE:
        raise ActionRefused(_("Only an invoice can be credited."))
    issued_on = today or timezone.localdate()
    with transaction.atomic():
        original = transition(INVOICE_WORKFLOW, obj=invoice, to_state=InvoiceState.CREDITED, by=by, note=reason)
        # The credit note repeats the invoice's VAT as it was, whatever today's rules say.
        vat = VatDecision(
            rule=original.vat_rule, rate=original.vat_rate, category=original.vat_category, note=original.vat_note
        )
        note = _document_create(
            kind=DocumentKind.CREDIT_NOTE,
            application=original.application,
            payer=original.payer,
            buyer=dict(original.buyer),
            lines=[(line.description, -line.quantity, line.unit_price) for line in original.lines.all()],
            vat=vat,
            issued_on=issued_on,
            by=by,
            credits=original,
        )
        history_record(
            obj=note,
            action="credit_note.issued",
            by=by,
            data={"number": note.number, "credits": original.number, "gross_total": _money_text(note.gross_total)},
            reason=reason,
        )
        invoice_pdf_queue(note)
    return note


# --- Payments and reminders --------------------------------------------------------------------------


def payment_record(*, invoice: Invoice, paid_on: date, amount: Decimal, reference: str, by: Any) -> Payment:
    """Record money received; the invoice becomes partly paid or paid (through the door).

    Side effects: a history row ``payment.recorded``; the invoice's move.
    """
    if not by.has_perm("billing.record_payment", invoice):
        raise PermissionDenied
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.kind != DocumentKind.INVOICE or invoice.state not in OPEN_STATES:
            raise ActionRefused(_("Payments are recorded against open invoices only."))
        amount = money(amount)
        outstanding = invoice.gross_total - amount_paid(invoice)
        if amount <= 0 or amount > outstanding:
            raise ActionRefused(
                _("The amount must be more than 0 and at most the %(outstanding)s outstanding.")
                % {"outstanding": _money_text(outstanding)}
            )
        payment = Payment.objects.create(
            invoice=invoice, paid_on=paid_on, amount=amount, reference=reference.strip(), recorded_by=by
        )
        history_record(
            obj=payment,
            action="payment.recorded",
            by=by,
            data={"invoice": invoice.number, "amount": _money_text(amount), "paid_on": paid_on.isoformat()},
        )
        to_state = InvoiceState.PAID if amount == outstanding else InvoiceState.PARTLY_PAID
        if invoice.state != to_state:
            transition(INVOICE_WORKFLOW, obj=invoice, to_state=to_state, by=by, data={"payment": payment.pk})
    return payment


def invoices_mark_overdue(*, today: date) -> int:
    """The daily sweep: unpaid invoices past their due date become overdue (the system moves them).

    Side effects: one move through the door per invoice (its history row).
    """
    due = Invoice.objects.filter(
        kind=DocumentKind.INVOICE, state__in=(InvoiceState.ISSUED, InvoiceState.PARTLY_PAID), due_on__lt=today
    )
    moved = 0
    for invoice in due:
        transition(INVOICE_WORKFLOW, obj=invoice, to_state=InvoiceState.OVERDUE, by=None)
        moved += 1
    return moved


def current_reminder_offset(invoice: Invoice, today: date) -> int | None:
    """The latest configured reminder whose day has come, or None (a missed day
    sends the current one, never a stale earlier one)."""
    days_late = (today - invoice.due_on).days
    due = [days for days in settings.BILLING["reminder_days_after_due"] if days <= days_late]
    return max(due) if due else None


def payment_reminder_claim(*, invoice: Invoice, today: date) -> PaymentReminder | None:
    """Claim the invoice's current reminder: the unique (invoice, offset) row is the
    guarantee that it goes once, whatever the beat does. None: nothing to send.

    Side effects: the reminder row and its history row ``invoice.reminded``.
    """
    offset = current_reminder_offset(invoice, today)
    if offset is None or invoice.state != InvoiceState.OVERDUE:
        return None
    try:
        with transaction.atomic():
            reminder = PaymentReminder.objects.create(invoice=invoice, days_after_due=offset)
            history_record(obj=invoice, action="invoice.reminded", by=None, data={"days_after_due": offset})
    except IntegrityError:
        return None  # sent before (or by a sweep running at the same time)
    return reminder
