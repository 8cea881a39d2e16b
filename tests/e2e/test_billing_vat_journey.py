"""Issue 22's other invoices in a real browser: a German cluster's Gold renewal
with domestic VAT; an Austrian business with a VAT number under reverse charge;
a credit note issued by the portal when the Austrian manager withdraws the case,
and one the office issues by hand to correct the German invoice."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django import Settings

from assessments.models import Application
from assessments.services.applications import application_start
from billing.models import Invoice
from common.enums import Level
from labels.demo import seed_demo
from tests.assessments.conftest import ELIGIBLE
from tests.e2e.conftest import Screenshot
from tests.e2e.test_assessment_journey import log_in
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def started(country: str, level: Level) -> Application:
    organisation = OrganisationFactory(**ELIGIBLE, country=country, city="City", address="Street 1")
    manager = MembershipFactory(organisation=organisation).user
    return application_start(organisation=organisation, level=level, by=manager)


def test_german_domestic_vat_austrian_reverse_charge_and_a_credit_note(
    page: Page, screenshot: Screenshot, tmp_path: Path, settings: Settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    first_gold = started("DE", Level.GOLD)
    Application.objects.filter(pk=first_gold.pk).update(state="awarded")
    assert first_gold.created_by is not None
    renewal = Application.objects.get(
        pk=application_start(organisation=first_gold.organisation, level=Level.GOLD, by=first_gold.created_by).pk
    )
    austrian = started("AT", Level.BRONZE)
    log_in(page, "office@demo.test")

    # The German Gold renewal: 6,765.00 net, 19 % VAT.
    page.goto(f"/assessments/a/{renewal.pk}/")
    expect(page.locator("#billing")).to_contain_text("6765.00 EUR")
    page.locator("#billing").get_by_role("button", name="Issue the invoice").click()
    page.locator("#billing").get_by_role("link", name=Invoice.objects.get(application=renewal).number).click()
    expect(page.get_by_test_id("invoice-total")).to_have_text("8050.35 EUR")
    screenshot(page, "1-german-vat")

    # The Austrian business gives its VAT number: reverse charge, with the wording.
    page.goto(f"/billing/cases/{austrian.pk}/payer/")
    page.get_by_label("who pays").select_option("organisation")
    page.get_by_label("billing name").fill("Austrian Cluster GmbH")
    page.get_by_label("street").fill("Ring 1")
    page.get_by_label("postcode").fill("1010")
    page.get_by_label("city").fill("Wien")
    page.get_by_label("country").select_option("AT")
    page.get_by_label("VAT number").fill("ATU13585627")
    page.get_by_role("button", name="Save").click()
    page.locator("#billing").get_by_role("button", name="Issue the invoice").click()
    invoice = Invoice.objects.get(application=austrian)
    page.goto(f"/billing/invoices/{invoice.pk}/")
    expect(page.get_by_test_id("invoice-total")).to_have_text("1650.00 EUR")
    expect(page.get_by_text("Steuerschuldnerschaft des Leistungsempfängers", exact=False)).to_be_visible()
    screenshot(page, "2-reverse-charge")

    # The Austrian manager withdraws the case in the browser: the portal credits the
    # invoice by itself (the office only reads the credit note).
    assert austrian.created_by is not None
    log_in_as(page, austrian.created_by.email)
    page.goto(f"/assessments/a/{austrian.pk}/")
    page.get_by_text("Withdraw the application").click()
    page.get_by_label("Reason (optional)").fill("No budget this year.")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_test_id("state")).to_have_text("Withdrawn")
    invoice.refresh_from_db()
    assert invoice.state == "credited"
    credit_note = Invoice.objects.get(credits=invoice)
    log_in(page, "office@demo.test")
    page.goto(f"/billing/invoices/{credit_note.pk}/")
    expect(page.get_by_text("Credits invoice", exact=False)).to_be_visible()
    expect(page.get_by_test_id("invoice-total")).to_have_text("-1650.00 EUR")
    screenshot(page, "3-credit-note")

    # A correction by hand: the office credits the German invoice with its reason.
    german = Invoice.objects.get(application=renewal)
    page.goto(f"/billing/invoices/{german.pk}/")
    page.get_by_label("reason").fill("Wrong billing address.")
    page.get_by_role("button", name="Issue a credit note").click()
    expect(page.get_by_test_id("invoice-total")).to_have_text("-8050.35 EUR")
    german.refresh_from_db()
    assert german.state == "credited"


def log_in_as(page: Page, email: str) -> None:
    """A factory's person, with the factories' password."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
