"""Quotes, invoices, credit notes and payments: the rules of issue #22."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from accounts.models import User
from assessments.models import Application
from billing.enums import Delivery, DocumentKind, InvoiceState, PayerKind, ServiceKind
from billing.models import Invoice, InvoiceCounter, PriceEntry
from billing.selectors import price_for
from billing.services import (
    credit_note_issue,
    invoice_issue,
    payer_set,
    payment_record,
    price_set,
    quote_delivery_set,
)
from clusters.models import ClusterOrganisation
from common.enums import Level
from common.errors import ActionRefused
from common.models import ActivityLog
from common.workflow import StateChangedOutsideDoor
from tests.assessments.conftest import ELIGIBLE
from tests.billing.conftest import sponsor, start_case
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _price(level: str, kind: str, delivery: str, on: date) -> Decimal:
    entry = price_for(level, kind, delivery, on)
    assert entry is not None
    return entry.amount


def test_the_public_prices_are_seeded() -> None:
    today = timezone.localdate()

    assert _price("bronze", "new", "video", today) == Decimal("1650.00")
    assert _price("bronze", "new", "on_site", today) == Decimal("2250.00")
    assert _price("silver", "new", "any", today) == Decimal("3620.00")
    assert _price("gold", "new", "any", today) == Decimal("8250.00")
    assert _price("gold", "renewal", "any", today) == Decimal("6765.00")


def test_a_case_is_quoted_at_its_start_with_the_price_valid_that_day(bronze_case: Application) -> None:
    quote = bronze_case.quote

    assert (quote.net_amount, quote.currency, quote.kind, quote.delivery) == (
        Decimal("1650.00"),
        "EUR",
        ServiceKind.NEW,
        Delivery.VIDEO,
    )
    assert quote.priced_on == timezone.localdate(bronze_case.created_at)
    assert quote.payer is not None and quote.payer.organisation == bronze_case.organisation
    assert ActivityLog.objects.filter(action="quote.created", object_id=quote.pk).exists()


def test_a_new_price_changes_neither_an_issued_quote_nor_an_invoice(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)
    price_set(
        level=Level.BRONZE,
        kind=ServiceKind.NEW,
        delivery=Delivery.VIDEO,
        amount=Decimal("1999.00"),
        valid_from=timezone.localdate(),
        by=office,
    )
    bronze_case.quote.refresh_from_db()
    invoice.refresh_from_db()

    assert bronze_case.quote.net_amount == Decimal("1650.00")
    assert invoice.net_total == Decimal("1650.00")
    assert _price("bronze", "new", "video", timezone.localdate()) == Decimal("1999.00")
    assert _price("bronze", "new", "video", timezone.localdate() - timedelta(days=1)) == Decimal("1650.00")


def test_a_price_starting_tomorrow_does_not_price_a_case_started_today(serbian, office: User) -> None:
    price_set(
        level=Level.BRONZE,
        kind=ServiceKind.NEW,
        delivery=Delivery.VIDEO,
        amount=Decimal("1800.00"),
        valid_from=timezone.localdate() + timedelta(days=1),
        by=office,
    )

    assert start_case(serbian).quote.net_amount == Decimal("1650.00")


def test_the_office_reprices_a_bronze_case_held_on_site(bronze_case: Application, office: User) -> None:
    quote = quote_delivery_set(quote=bronze_case.quote, delivery=Delivery.ON_SITE, by=office)

    assert quote.net_amount == Decimal("2250.00")


def test_a_serbian_case_sponsored_by_its_partner_is_invoiced_without_vat(
    bronze_case: Application, office: User, partner_staff: User
) -> None:
    partner = partner_staff.partner_staff.get().partner
    sponsor(bronze_case, partner_staff, partner)

    invoice = invoice_issue(application=bronze_case, by=office, today=date(2026, 3, 2))

    assert invoice.number == "2026-00001"
    assert invoice.payer.partner == partner
    assert invoice.buyer["name"] == partner.name
    assert (invoice.vat_rule, invoice.vat_rate, invoice.vat_total) == ("outside_eu", Decimal("0"), Decimal("0.00"))
    assert invoice.gross_total == Decimal("1650.00")
    assert "Not taxable in Germany" in invoice.vat_note
    assert invoice.due_on == date(2026, 4, 1)
    assert invoice.seller["country"] == "DE"


def test_a_german_gold_renewal_pays_domestic_vat_rounded_per_line(versions: None, office: User) -> None:
    german = OrganisationFactory(**ELIGIBLE, country="DE", city="Berlin", address="Unter den Linden 1")
    first = start_case(german, Level.GOLD)
    Application.objects.filter(pk=first.pk).update(state="awarded")
    renewal = start_case(german, Level.GOLD)

    invoice = invoice_issue(application=renewal, by=office)

    assert renewal.quote.kind == ServiceKind.RENEWAL
    assert (invoice.net_total, invoice.vat_rate, invoice.vat_total, invoice.gross_total) == (
        Decimal("6765.00"),
        Decimal("19.00"),
        Decimal("1285.35"),
        Decimal("8050.35"),
    )


def test_an_austrian_business_with_a_vat_number_is_reverse_charged(versions: None, office: User) -> None:
    austrian = OrganisationFactory(**ELIGIBLE, country="AT", city="Wien")
    case = start_case(austrian)
    payer_set(
        application=case,
        by=office,
        kind=PayerKind.ORGANISATION,
        name=austrian.name,
        street="Ring 1",
        postcode="1010",
        city="Wien",
        country="AT",
        vat_number="ATU13585627",
    )

    invoice = invoice_issue(application=case, by=office)

    assert (invoice.vat_rule, invoice.vat_total, invoice.gross_total) == (
        "reverse_charge",
        Decimal("0.00"),
        Decimal("1650.00"),
    )
    assert "Steuerschuldnerschaft des Leistungsempfängers" in invoice.vat_note


def test_an_invalid_vat_number_is_refused(bronze_case: Application, office: User) -> None:
    with pytest.raises(ActionRefused):
        payer_set(
            application=bronze_case,
            by=office,
            kind=PayerKind.PROGRAMME,
            name="Programme",
            street="x",
            postcode="",
            city="y",
            country="AT",
            vat_number="ATU13585628",
        )


def test_only_the_office_issues_and_it_asks_the_permission_first(bronze_case: Application, partner_staff: User) -> None:
    manager = bronze_case.created_by
    for person in (manager, partner_staff):
        with pytest.raises(PermissionDenied):
            invoice_issue(application=bronze_case, by=person)
    assert not Invoice.objects.exists()


def test_a_case_has_one_live_invoice(bronze_case: Application, office: User) -> None:
    invoice_issue(application=bronze_case, by=office)

    with pytest.raises(ActionRefused):
        invoice_issue(application=bronze_case, by=office)


def test_numbers_run_per_year_without_gaps(serbian, office: User) -> None:
    numbers = [
        invoice_issue(application=start_case(OrganisationFactory(**ELIGIBLE)), by=office, today=day).number
        for day in (date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2))
    ]

    assert numbers == ["2026-00001", "2026-00002", "2027-00001", "2027-00002"]
    assert dict(InvoiceCounter.objects.values_list("year", "last")) == {2026: 2, 2027: 2}


def test_the_database_refuses_a_repeated_number(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)
    Invoice.objects.filter(pk=invoice.pk).update(state=InvoiceState.CREDITED)

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            **{
                f.attname: getattr(invoice, f.attname)
                for f in Invoice._meta.concrete_fields
                if f.attname not in ("id", "number", "state")
            },
            number="other",
        )


def test_a_payment_moves_an_invoice_to_partly_paid_then_paid(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)

    payment_record(invoice=invoice, paid_on=date(2026, 3, 5), amount=Decimal("650"), reference="A1", by=office)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PARTLY_PAID
    with pytest.raises(ActionRefused):  # more than is outstanding
        payment_record(invoice=invoice, paid_on=date(2026, 3, 6), amount=Decimal("1000.01"), reference="A2", by=office)
    payment_record(invoice=invoice, paid_on=date(2026, 3, 6), amount=Decimal("1000.00"), reference="A2", by=office)
    invoice.refresh_from_db()

    assert invoice.state == InvoiceState.PAID
    assert ActivityLog.objects.filter(action="invoice.state", object_id=invoice.pk).count() == 2


def test_a_credit_note_references_the_invoice_and_negates_it(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)

    with pytest.raises(ActionRefused):  # a reason is required
        credit_note_issue(invoice=invoice, by=office, reason=" ")
    note = credit_note_issue(invoice=invoice, by=office, reason="Withdrawn by the organisation")
    invoice.refresh_from_db()

    assert note.kind == DocumentKind.CREDIT_NOTE and note.credits == invoice
    assert note.gross_total == -invoice.gross_total
    assert note.number != invoice.number and note.sequence == invoice.sequence + 1
    assert invoice.state == InvoiceState.CREDITED
    # After the credit note the case may be invoiced again (corrected).
    assert invoice_issue(application=bronze_case, by=office).sequence == note.sequence + 1


def test_an_invoice_state_changes_only_through_the_door(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office)
    invoice.state = InvoiceState.PAID

    with pytest.raises(StateChangedOutsideDoor):
        invoice.save()


def test_the_price_list_is_kept_by_the_office_only(bronze_case: Application) -> None:
    with pytest.raises(PermissionDenied):
        price_set(
            level=Level.BRONZE,
            kind=ServiceKind.NEW,
            delivery=Delivery.VIDEO,
            amount=Decimal("1"),
            valid_from=date(2030, 1, 1),
            by=bronze_case.created_by,
        )
    assert not PriceEntry.objects.filter(valid_from=date(2030, 1, 1)).exists()


def test_only_the_office_or_the_system_marks_an_invoice_overdue(bronze_case: Application, office: User) -> None:
    from billing.services import INVOICE_WORKFLOW
    from common.workflow import transition

    invoice = invoice_issue(application=bronze_case, by=office)

    with pytest.raises(PermissionDenied):
        transition(INVOICE_WORKFLOW, obj=invoice, to_state=InvoiceState.OVERDUE, by=bronze_case.created_by)
    assert transition(INVOICE_WORKFLOW, obj=invoice, to_state=InvoiceState.OVERDUE, by=None).state == "overdue"


def test_a_case_started_before_billing_is_quoted_on_its_start_day_when_invoiced(
    bronze_case: Application, office: User
) -> None:
    from billing.models import Quote

    Quote.objects.filter(application=bronze_case).delete()
    Application.objects.filter(pk=bronze_case.pk).update(created_at=timezone.now() - timedelta(days=400))

    invoice = invoice_issue(application=bronze_case, by=office)

    quote = Quote.objects.get(application=bronze_case)
    assert quote.priced_on == timezone.localdate() - timedelta(days=400)
    assert invoice.net_total == Decimal("1650.00")


def test_a_missing_price_never_stops_an_organisation_from_applying(
    serbian: ClusterOrganisation, office: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    """The price list is the office's to keep: without a price for the service the case starts all the
    same, without a quote, and the office is told to add the price."""
    from django.core import mail

    PriceEntry.objects.filter(level=Level.BRONZE).delete()

    from assessments.services.applications import application_start
    from tests.factories import MembershipFactory

    manager = MembershipFactory(organisation=serbian).user
    with django_capture_on_commit_callbacks(execute=True):
        case = application_start(organisation=serbian, level=Level.BRONZE, by=manager)

    assert Application.objects.filter(pk=case.pk).exists()
    assert not hasattr(Application.objects.get(pk=case.pk), "quote")
    assert [m.to for m in mail.outbox if "No price" in m.subject] == [[office.email]]


def test_withdrawing_a_case_credits_its_open_invoice_and_tells_the_office(
    bronze_case: Application, office: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from assessments.services.applications import application_withdraw
    from common.models import Notification

    invoice = invoice_issue(application=bronze_case, by=office)
    payment_record(invoice=invoice, paid_on=date(2026, 3, 5), amount=Decimal("100.00"), reference="A1", by=office)

    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=bronze_case, by=_manager(bronze_case), reason="No budget this year")
    invoice.refresh_from_db()

    note = Invoice.objects.get(credits=invoice)
    assert invoice.state == InvoiceState.CREDITED
    assert note.gross_total == -invoice.gross_total
    assert ActivityLog.objects.filter(action="credit_note.issued", object_id=note.pk, actor=None).count() == 1
    told = Notification.objects.get(user=office)
    assert told.title == f"Case withdrawn: invoice {invoice.number}"


def test_withdrawing_a_case_leaves_a_paid_invoice_for_the_office_to_decide(
    bronze_case: Application, office: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from assessments.services.applications import application_withdraw
    from common.models import Notification

    invoice = invoice_issue(application=bronze_case, by=office)
    payment_record(invoice=invoice, paid_on=date(2026, 3, 5), amount=invoice.gross_total, reference="A1", by=office)

    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=bronze_case, by=_manager(bronze_case))
    invoice.refresh_from_db()

    assert invoice.state == InvoiceState.PAID
    assert not Invoice.objects.filter(credits=invoice).exists()
    assert Notification.objects.get(user=office).title == f"Case withdrawn: invoice {invoice.number}"


def test_withdrawing_a_case_without_an_invoice_issues_nothing(bronze_case: Application) -> None:
    from assessments.services.applications import application_withdraw

    application_withdraw(application=bronze_case, by=_manager(bronze_case))

    assert not Invoice.objects.exists()


def test_a_refused_withdrawal_credits_nothing(bronze_case: Application, office: User) -> None:
    from assessments.services.applications import application_withdraw

    invoice = invoice_issue(application=bronze_case, by=office)

    with pytest.raises(PermissionDenied):
        application_withdraw(application=bronze_case, by=office)
    invoice.refresh_from_db()

    assert invoice.state == InvoiceState.ISSUED


def _manager(application: Application) -> User:
    assert application.created_by is not None
    return application.created_by
