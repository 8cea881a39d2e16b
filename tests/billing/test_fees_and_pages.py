"""Experts' fees per completed case and role, and the billing pages' CSV and scoping."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from assessments.enums import ApplicationState, AssignmentState
from assessments.models import Application, Assignment
from billing.fees import expert_statement
from billing.services import invoice_issue, payment_record
from tests.assessments.conftest import ELIGIBLE
from tests.billing.conftest import sponsor, start_case
from tests.factories import AssessorProfileFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_month_statement_lists_each_completed_case_with_the_fee_of_its_level(
    bronze_case: Application, office: User, client: Client
) -> None:
    expert = AssessorProfileFactory().user
    Assignment.objects.create(application=bronze_case, assessor=expert, state=AssignmentState.ACCEPTED)
    Application.objects.filter(pk=bronze_case.pk).update(state=ApplicationState.AWARDED, assessed_on=date(2026, 10, 8))
    open_case = start_case(OrganisationFactory(**ELIGIBLE))
    Assignment.objects.create(application=open_case, assessor=expert, state=AssignmentState.ACCEPTED)
    Application.objects.filter(pk=open_case.pk).update(
        state=ApplicationState.IN_ASSESSMENT, assessed_on=date(2026, 10, 9)
    )

    lines = expert_statement(year=2026, month=10)

    assert [(line.application_id, line.role, line.fee) for line in lines] == [
        (bronze_case.pk, "benchmarker", Decimal("500.00"))
    ]
    client.force_login(office)
    rows = _csv(client.get(reverse("billing:expert_fees") + "?month=2026-10"))
    assert rows[0][0] == "expert" and len(rows) == 2 and rows[1][-2:] == ["500.00", "EUR"]


def test_the_office_exports_open_invoices_and_a_partner_sees_only_what_it_sponsors(
    bronze_case: Application, office: User, partner_staff: User, client: Client
) -> None:
    sponsor(bronze_case, partner_staff, partner_staff.partner_staff.get().partner)
    sponsored = invoice_issue(application=bronze_case, by=office)
    other = invoice_issue(application=start_case(OrganisationFactory(**ELIGIBLE)), by=office)

    client.force_login(office)
    rows = _csv(client.get(reverse("billing:office_invoices") + "?format=csv"))
    assert sorted(row[0] for row in rows[1:]) == sorted([sponsored.number, other.number])

    client.force_login(partner_staff)
    page = client.get(reverse("billing:my_billing")).content.decode()
    assert sponsored.number in page and other.number not in page
    assert client.get(reverse("billing:invoice", args=[other.pk])).status_code == 404


def test_a_partner_names_itself_payer_of_a_case_in_its_country(
    bronze_case: Application, partner_staff: User, client: Client
) -> None:
    partner = partner_staff.partner_staff.get().partner
    client.force_login(partner_staff)

    assert bronze_case.organisation.name in client.get(reverse("billing:my_billing")).content.decode()
    response = client.post(
        reverse("billing:case_payer", args=[bronze_case.pk]),
        {
            "kind": "partner",
            "partner": partner.pk,
            "name": partner.name,
            "street": "Knez Mihailova 1",
            "postcode": "11000",
            "city": "Belgrade",
            "country": "RS",
            "vat_number": "101134702",
            "is_business": "on",
        },
    )

    assert response.status_code == 302
    bronze_case.quote.refresh_from_db()
    assert bronze_case.quote.payer is not None
    assert (bronze_case.quote.payer.partner, bronze_case.quote.payer.vat_number) == (partner, "RS101134702")


def test_a_partner_may_not_name_another_partner_payer(bronze_case: Application, partner_staff: User) -> None:
    from billing.enums import PayerKind
    from billing.services import payer_set
    from common.errors import ActionRefused
    from tests.factories import PartnerFactory

    with pytest.raises(ActionRefused):
        payer_set(
            application=bronze_case,
            by=partner_staff,
            kind=PayerKind.PARTNER,
            partner=PartnerFactory(),
            name="Other",
            street="x",
            postcode="",
            city="y",
            country="RS",
        )


def _queries(client: Client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_billing_lists_cost_the_same_queries_at_two_sizes(
    versions: None, office: User, partner_staff: User, client: Client
) -> None:
    partner = partner_staff.partner_staff.get().partner

    def one_more() -> None:
        case = start_case(OrganisationFactory(**ELIGIBLE))
        sponsor(case, partner_staff, partner)
        invoice = invoice_issue(application=case, by=office)
        payment_record(invoice=invoice, paid_on=date(2026, 3, 3), amount=Decimal("10"), reference="R", by=office)

    one_more()
    client.force_login(office)
    office_small = _queries(client, reverse("billing:office_invoices"))
    client.force_login(partner_staff)
    mine_small = _queries(client, reverse("billing:my_billing"))
    for _ in range(3):
        one_more()

    client.force_login(office)
    assert _queries(client, reverse("billing:office_invoices")) == office_small
    client.force_login(partner_staff)
    assert _queries(client, reverse("billing:my_billing")) == mine_small


def test_a_manager_sees_his_organisations_quotes_and_invoices_only(
    versions: None, office: User, client: Client
) -> None:
    mine = start_case(OrganisationFactory(**ELIGIBLE, name="My Own Cluster"))
    theirs = start_case(OrganisationFactory(**ELIGIBLE, name="Someone Else Cluster"))
    invoice_issue(application=theirs, by=office)
    assert mine.created_by is not None
    client.force_login(mine.created_by)

    page = client.get(reverse("billing:my_billing")).content.decode()

    assert "My Own Cluster" in page
    assert "Someone Else Cluster" not in page


def test_an_expert_reads_his_own_statement_as_page_pdf_and_csv_and_nobody_elses(
    bronze_case: Application, office: User, client: Client
) -> None:
    expert, other = AssessorProfileFactory().user, AssessorProfileFactory().user
    other_case = start_case(OrganisationFactory(name="Second Expert Cluster", **ELIGIBLE))
    for case, person in ((bronze_case, expert), (other_case, other)):
        Assignment.objects.create(application=case, assessor=person, state=AssignmentState.ACCEPTED)
        Application.objects.filter(pk=case.pk).update(state=ApplicationState.AWARDED, assessed_on=date(2026, 10, 8))
    url = reverse("billing:fee_statement") + "?month=2026-10"

    client.force_login(expert)
    page = client.get(url + f"&expert={other.pk}").content.decode()  # asking for another's is ignored
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(url + "&format=pdf").content)).pages)
    rows = _csv(client.get(url + "&format=csv"))

    assert bronze_case.organisation.name in page and "Second Expert Cluster" not in page
    assert "500.00 EUR" in page
    assert bronze_case.organisation.name in pdf_text and "Second Expert Cluster" not in pdf_text
    assert [row[3] for row in rows[1:]] == [bronze_case.organisation.name]

    client.force_login(office)
    office_page = client.get(url + f"&expert={other.pk}").content.decode()
    assert "Second Expert Cluster" in office_page and bronze_case.organisation.name not in office_page
