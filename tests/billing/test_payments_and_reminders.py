"""Overdue invoices get each payment reminder once; payment may be required before assignment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from accounts.models import User
from assessments.enums import ApplicationState
from assessments.models import Application, Assignment
from assessments.services import assessing
from billing.enums import InvoiceState
from billing.models import Invoice, PaymentReminder
from billing.reminders import payment_reminders_send
from billing.services import invoice_issue, payment_record
from clusters.models import ClusterOrganisation
from common.errors import ActionRefused
from common.models import Notification
from tests.assessments.test_workflow import submitted as submit_case
from tests.factories import AssessorProfileFactory, MembershipFactory

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 3, 2)  # due 2026-04-01 with 30 days


def test_overdue_reminders_go_once_each_and_a_missed_day_sends_only_the_current_one(
    bronze_case: Application, office: User, django_capture_on_commit_callbacks
) -> None:
    invoice = invoice_issue(application=bronze_case, by=office, today=ISSUED)
    due = invoice.due_on

    def sweep(day: date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return payment_reminders_send(today=day)

    assert sweep(due) == 0  # not yet late
    assert sweep(due + timedelta(days=1)) == 0  # overdue, first reminder not yet due
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.OVERDUE
    assert sweep(due + timedelta(days=7)) == 1
    assert sweep(due + timedelta(days=7)) == 0  # the same day again: nothing
    assert sweep(due + timedelta(days=8)) == 0
    # The beat did not run from day 8 to 45: only the current (42-day) reminder goes.
    assert sweep(due + timedelta(days=45)) == 1
    assert sweep(due + timedelta(days=46)) == 0

    assert sorted(PaymentReminder.objects.values_list("days_after_due", flat=True)) == [7, 42]
    assert Notification.objects.filter(user=bronze_case.created_by).count() == 2


def test_a_paid_invoice_gets_no_reminder(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office, today=ISSUED)
    payment_record(invoice=invoice, paid_on=ISSUED, amount=invoice.gross_total, reference="R", by=office)

    assert payment_reminders_send(today=invoice.due_on + timedelta(days=60)) == 0
    assert not PaymentReminder.objects.exists()


def test_a_part_payment_on_an_overdue_invoice_keeps_it_open(bronze_case: Application, office: User) -> None:
    invoice = invoice_issue(application=bronze_case, by=office, today=ISSUED)
    payment_reminders_send(today=invoice.due_on + timedelta(days=1))

    payment_record(invoice=invoice, paid_on=ISSUED, amount=Decimal("100"), reference="R", by=office)
    invoice.refresh_from_db()

    assert invoice.state == InvoiceState.PARTLY_PAID


@pytest.fixture
def submitted(bronze_case: Application) -> Application:
    Application.objects.filter(pk=bronze_case.pk).update(state=ApplicationState.SUBMITTED)
    return Application.objects.get(pk=bronze_case.pk)


def test_with_the_setting_on_assessors_wait_for_payment(
    submitted: Application, office: User, settings, client: Client
) -> None:
    settings.BILLING = {**settings.BILLING, "payment_before_assignment": True}
    expert = AssessorProfileFactory(home_country="RS", certified_levels=["bronze"]).user
    invoice = invoice_issue(application=submitted, by=office)
    client.force_login(office)

    assert (
        "Payment is required before assessors are assigned."
        in client.get(reverse("assessments:application_detail", args=[submitted.pk])).content.decode()
    )
    with pytest.raises(ActionRefused):
        assessing.assignment_create(application=submitted, assessors=[expert], by=office)
    assert not Assignment.objects.exists()

    payment_record(invoice=invoice, paid_on=ISSUED, amount=invoice.gross_total, reference="R", by=office)
    assessing.assignment_create(application=submitted, assessors=[expert], by=office)

    assert Assignment.objects.filter(application=submitted).count() == 1


def test_with_the_setting_off_assessors_are_assigned_before_payment(submitted: Application, office: User) -> None:
    expert = AssessorProfileFactory(home_country="RS", certified_levels=["bronze"]).user

    assessing.assignment_create(application=submitted, assessors=[expert], by=office)

    assert Assignment.objects.filter(application=submitted).count() == 1


def test_with_invoice_at_submission_the_system_issues_the_invoice_as_the_case_is_submitted(
    serbian: ClusterOrganisation, settings: Settings
) -> None:
    settings.BILLING = {**settings.BILLING, "invoice_at": "submission"}

    case = submit_case(MembershipFactory(organisation=serbian))

    invoice = Invoice.objects.get(application=case)
    assert (invoice.issued_by, invoice.gross_total, invoice.state) == (None, Decimal("1650.00"), InvoiceState.ISSUED)


def test_by_default_submission_issues_no_invoice(serbian: ClusterOrganisation) -> None:
    submit_case(MembershipFactory(organisation=serbian))

    assert not Invoice.objects.exists()


def test_only_the_sweep_or_the_office_marks_an_invoice_overdue(bronze_case: Application, office: User) -> None:
    """Overdue is the daily sweep's move (the office owns it in the table); the case's own manager may not
    put the mark on, nor take it off by any other door than a payment."""
    from django.core.exceptions import PermissionDenied

    from billing.services import INVOICE_WORKFLOW
    from common.workflow import transition

    invoice = invoice_issue(application=bronze_case, by=office)
    manager = bronze_case.organisation.memberships.get().user

    with pytest.raises(PermissionDenied):
        transition(INVOICE_WORKFLOW, obj=invoice, to_state=InvoiceState.OVERDUE, by=manager)
    assert Invoice.objects.get(pk=invoice.pk).state == InvoiceState.ISSUED
    transition(INVOICE_WORKFLOW, obj=Invoice.objects.get(pk=invoice.pk), to_state=InvoiceState.OVERDUE, by=office)
    assert Invoice.objects.get(pk=invoice.pk).state == InvoiceState.OVERDUE
