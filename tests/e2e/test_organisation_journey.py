"""Issue 3's journey in a real browser: sign up, register, get validated by the
Serbian partner, invite a colleague who joins, read the eligibility checklist."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page

from labels.demo import DEMO_PASSWORD, seed_demo
from tests.e2e.conftest import Screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in_last_mail(pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern}[^\s]*)", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")


def test_newcomer_registers_gets_validated_and_invites_a_colleague(page: Page, screenshot: Screenshot) -> None:
    seed_demo()
    password = "a-good-long-password-1"

    # Sign up and confirm the address.
    page.goto("/accounts/signup/")
    page.get_by_label("E-mail address").fill("founder@example.test")
    page.get_by_label("Full name").fill("Fiona Founder")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_test_id("signup-sent").wait_for()
    screenshot(page, "1-signup-sent")
    page.goto(link_in_last_mail("/accounts/signup/confirm/"))
    page.locator("#id_new_password1").fill(password)
    page.locator("#id_new_password2").fill(password)
    page.get_by_role("button", name="Set password and continue").click()
    page.get_by_role("link", name="Register your cluster organisation").click()

    # Register the organisation.
    page.get_by_label("Legal name").fill("Tisa River Agritech Cluster")
    page.get_by_label("Country").select_option("RS")
    page.get_by_label("City").fill("Novi Sad")
    page.get_by_label("Website", exact=True).fill("https://tisa-agritech.example")
    page.get_by_label("Website in English").check()
    page.get_by_label("Food industry").check()
    page.get_by_label("Management staff (FTE)").fill("1.5")
    page.get_by_label("SMEs").fill("14")
    page.get_by_label("Research and universities").fill("3")
    page.get_by_role("button", name="Register and send for validation").click()
    page.get_by_test_id("eligibility").wait_for()
    assert page.get_by_test_id("state").inner_text() == "Pending validation"
    assert page.locator("[data-criterion=eccp]").get_attribute("data-status") == "not_met"
    screenshot(page, "2-registered")
    log_out(page)

    # The Serbian partner validates it.
    log_in(page, "partner@demo.test", DEMO_PASSWORD)
    page.get_by_test_id("queue-link").click()
    page.get_by_role("link", name="Tisa River Agritech Cluster", exact=True).click()
    page.get_by_role("button", name="Validate").click()
    assert page.get_by_test_id("state").inner_text() == "Active"
    screenshot(page, "3-validated")
    log_out(page)

    # The founder invites a colleague.
    log_in(page, "founder@example.test", password)
    page.get_by_role("link", name="Tisa River Agritech Cluster", exact=True).click()
    page.get_by_role("link", name="People").click()
    page.get_by_label("E-mail address").fill("colleague@example.test")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_test_id("invitations").inner_text().startswith("colleague@example.test")
    invitation = link_in_last_mail("/clusters/invitation/")
    log_out(page)

    # The colleague follows the link, creates an account and joins.
    page.goto(invitation)
    page.get_by_label("Full name").fill("Colin Colleague")
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    page.get_by_test_id("accept").click()
    page.get_by_test_id("eligibility").wait_for()
    people = page.get_by_test_id("people").inner_text()
    assert "Colin Colleague" in people and "Fiona Founder" in people
    screenshot(page, "4-colleague-joined")
