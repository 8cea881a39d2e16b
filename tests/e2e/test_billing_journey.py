"""Issue 22's journey in a real browser: a Serbian cluster's Bronze case, sponsored
by the national partner, is quoted, invoiced without VAT (outside the EU) with
its Factur-X XML, paid, and only then gets its assessor (the office requires
payment before assignment)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from facturx import xml_check_xsd
from playwright.sync_api import Page, expect
from pytest_django import Settings

from accounts.models import User
from assessments.enums import AnswerType
from assessments.models import Application, Indicator
from assessments.services import applications
from billing.enums import InvoiceState
from billing.models import Invoice
from clusters.models import ClusterOrganisation, NationalPartner
from common.enums import Level
from labels.demo import DEMO_MANAGER_ORGANISATION, seed_demo
from tests.e2e.conftest import Screenshot
from tests.e2e.test_assessment_journey import log_in, valid_raw
from tests.files import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submitted_bronze(manager: User) -> Application:
    organisation = ClusterOrganisation.objects.get(name=DEMO_MANAGER_ORGANISATION)
    open_bronze = Application.objects.filter(organisation=organisation, level=Level.BRONZE).exclude(
        state__in=["awarded", "refused", "withdrawn"]
    )
    assert not open_bronze.exists()
    application = applications.application_start(organisation=organisation, level=Level.BRONZE, by=manager)
    for indicator in Indicator.objects.filter(version=application.version):
        if indicator.answer_type != AnswerType.FILE:
            applications.answer_save(
                application=application, indicator=indicator, raw=valid_raw(indicator), revision=0, by=manager
            )
        if indicator.answer_type == AnswerType.FILE or indicator.evidence_required:
            applications.evidence_add(
                application=application, indicator=indicator, upload=SimpleUploadedFile("e.pdf", PDF), by=manager
            )
    return applications.application_submit(application=application, by=manager)


def test_a_sponsored_serbian_bronze_case_is_invoiced_paid_and_then_assigned(
    page: Page, screenshot: Screenshot, tmp_path: Path, settings: Settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BILLING = {**settings.BILLING, "payment_before_assignment": True}
    seed_demo()
    application = submitted_bronze(User.objects.get(email="manager@demo.test"))
    case = f"/assessments/a/{application.pk}/"
    partner = NationalPartner.objects.get(staff__user__email="partner@demo.test")

    # The national partner names itself payer, from its billing page.
    log_in(page, "partner@demo.test")
    page.goto("/billing/mine/")
    page.get_by_test_id("to-sponsor").get_by_role("link", name="Set who pays").first.click()
    page.get_by_label("who pays").select_option("partner")
    page.get_by_label("national partner").select_option(str(partner.pk))
    page.get_by_label("billing name").fill(partner.name)
    page.get_by_label("street").fill("Knez Mihailova 1")
    page.get_by_label("postcode").fill("11000")
    page.get_by_label("city").fill("Belgrade")
    page.get_by_label("country").select_option("RS")
    page.get_by_label("VAT number").fill("RS101134702")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    screenshot(page, "1-sponsored")

    # The office sees the quote and that payment comes first; it issues the invoice.
    log_in(page, "office@demo.test")
    page.goto(case)
    billing = page.locator("#billing")
    expect(billing).to_contain_text("1650.00 EUR")
    expect(billing).to_contain_text(partner.name)
    expect(billing).to_contain_text("Payment is required before assessors are assigned.")
    billing.get_by_role("button", name="Issue the invoice").click()
    page.wait_for_load_state()
    invoice = Invoice.objects.get(application=application)
    assert (invoice.vat_rule, invoice.gross_total, invoice.payer.partner) == ("outside_eu", 1650, partner)
    page.locator("#billing").get_by_role("link", name=invoice.number).click()
    expect(page.get_by_test_id("invoice-total")).to_have_text("1650.00 EUR")
    expect(page.get_by_text("Not taxable in Germany", exact=False)).to_be_visible()
    screenshot(page, "2-invoice")

    # Its e-invoice validates against the EN16931 schema.
    xml = page.request.get(f"/billing/invoices/{invoice.pk}/factur-x.xml").body()
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert invoice.number.encode() in xml

    # The office assigns nobody before payment, records the transfer, then assigns.
    page.goto(f"{case}assign/")
    page.get_by_label("Milica Assessor").check()
    page.get_by_role("button", name="Assign and notify").click()
    expect(page.get_by_text("once the case's invoice is paid", exact=False)).to_be_visible()

    page.goto(f"/billing/invoices/{invoice.pk}/")
    page.get_by_label("amount").fill("1650.00")
    page.get_by_label("reference").fill("RS transfer 4711")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_test_id("invoice-state")).to_contain_text("paid")
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    screenshot(page, "3-paid")

    page.goto(f"{case}assign/")
    page.get_by_label("Milica Assessor").check()
    page.get_by_role("button", name="Assign and notify").click()
    assert "Assessor assignment" in page.get_by_test_id("state").inner_text()
    screenshot(page, "4-assigned")
