"""Each demo account logs in through the browser and lands on its start page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from labels.demo import DEMO_PASSWORD, seed_demo
from tests.e2e.conftest import Screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANDINGS = {
    "office@demo.test": ("/labels/office/", "Label office"),
    "committee@demo.test": ("/labels/committee/", "Label committee"),
    "assessor.rs@demo.test": ("/accounts/assessor/", "Your assessments"),
    "assessor.de@demo.test": ("/accounts/assessor/", "Your assessments"),
    "manager@demo.test": ("/clusters/my/", "Your cluster organisations"),
    "partner@demo.test": ("/clusters/partner/", "Cluster House Serbia (demo)"),
    "policy@demo.test": ("/statistics/", "Label statistics"),
}


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.parametrize("email", sorted(LANDINGS))
def test_demo_account_lands_on_its_start_page(page: Page, screenshot: Screenshot, email: str) -> None:
    seed_demo()
    path, heading = LANDINGS[email]

    log_in(page, email, DEMO_PASSWORD)

    page.wait_for_url(f"**{path}")
    assert page.locator("h1").first.inner_text() == heading
    screenshot(page, "start")


def test_partner_sees_serbian_organisations_only(page: Page, screenshot: Screenshot) -> None:
    seed_demo()

    log_in(page, "partner@demo.test", DEMO_PASSWORD)
    page.wait_for_url("**/clusters/partner/")

    rows = page.locator("[data-testid=partner-organisations] tbody tr")
    countries = {rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())}
    assert countries == {"RS"}
    screenshot(page, "partner")


def test_wrong_password_five_times_shows_the_lockout(page: Page, screenshot: Screenshot) -> None:
    seed_demo()

    for _ in range(5):
        log_in(page, "manager@demo.test", "not-the-password")

    assert page.get_by_test_id("lockout").is_visible()
    assert "blocked for 15 minutes" in page.get_by_test_id("lockout").inner_text()
    screenshot(page, "locked")


def test_manager_opens_a_committee_page_and_is_told_no(page: Page, screenshot: Screenshot) -> None:
    seed_demo()
    log_in(page, "manager@demo.test", DEMO_PASSWORD)
    page.wait_for_url("**/clusters/my/")

    response = page.goto("/labels/committee/")

    assert response is not None
    assert response.status == 403
    assert page.locator("h1").inner_text() == "This page is not for your role"
    screenshot(page, "refused")


def test_logout_from_the_user_menu(page: Page) -> None:
    seed_demo()
    log_in(page, "policy@demo.test", DEMO_PASSWORD)
    page.wait_for_url("**/statistics/")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()

    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("link", name="Log in").is_visible()
