"""A labelled organisation's name: fixed for its manager, corrected by the office or renamed once its
partner approves, and both names on verification."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from accounts.enums import StaffRole
from clusters.enums import OrganisationState
from common.enums import Level
from labels.enums import LabelSource
from labels.services import label_create
from tests.e2e.conftest import Screenshot
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_labelled_organisation_keeps_the_name_each_label_was_awarded_to(page: Page, screenshot: Screenshot) -> None:
    organisation = OrganisationFactory(name="Sava Food Cluster", country="RS", state=OrganisationState.ACTIVE)
    manager = MembershipFactory(organisation=organisation).user
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    first = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=date(2022, 3, 15), source=LabelSource.IMPORT
    )
    current = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=date(2025, 3, 15), source=LabelSource.IMPORT
    )

    # The manager finds the name fixed.
    log_in(page, manager.email)
    page.goto(f"/clusters/o/{organisation.slug}/edit/")
    expect(page.get_by_label("Legal name")).to_be_disabled()
    expect(page.get_by_text("a label names the organisation")).to_be_visible()
    screenshot(page, "manager")

    # The office corrects the name printed on the current label, with a reason.
    log_in(page, office.email)
    page.goto(f"/labels/label/{current.code}/")
    page.get_by_label("Organisation name").fill("Sava Food Cluster Association")
    page.locator("#correct-reason").fill("The association's registered name")
    page.get_by_role("button", name="Correct").click()
    expect(page.get_by_text("The label is corrected")).to_be_visible()

    # Verification: the current label in its new name; the earlier one as awarded, and the name now.
    page.context.clear_cookies()
    page.goto(f"/verify/{current.code}/")
    expect(page.get_by_test_id("organisation")).to_have_text("Sava Food Cluster Association")
    page.goto(f"/verify/{first.code}/")
    expect(page.get_by_test_id("organisation")).to_have_text("Sava Food Cluster (now Sava Food Cluster Association)")
    screenshot(page, "verified")


def test_a_new_name_waits_for_the_partner_and_verification_then_shows_both(page: Page, screenshot: Screenshot) -> None:
    organisation = OrganisationFactory(name="Drina Wood Cluster", country="RS", state=OrganisationState.ACTIVE)
    OrganisationFactory(name="Drina Furniture Cluster", country="RS", state=OrganisationState.ACTIVE)
    manager = MembershipFactory(organisation=organisation).user
    partner = PartnerStaffFactory(partner=PartnerFactory(countries=["RS"])).user
    label = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=date(2025, 3, 15), source=LabelSource.IMPORT
    )

    # The manager finds the name fixed and asks for a new one; a name taken in the country is refused.
    log_in(page, manager.email)
    page.goto(f"/clusters/o/{organisation.slug}/edit/")
    page.get_by_role("link", name="Ask for a new name").click()
    expect(page.get_by_test_id("current-name")).to_have_text("Drina Wood Cluster")
    page.get_by_label("New name").fill("  drina furniture cluster ")
    page.get_by_label("Why").fill("The two clusters merged")
    page.get_by_role("button", name="Send for validation").click()
    expect(page.get_by_text("Another organisation of Serbia is already called")).to_be_visible()
    screenshot(page, "name-taken")
    page.get_by_label("New name").fill("Drina Wood and Furniture Association")
    page.get_by_role("button", name="Send for validation").click()
    expect(page.get_by_text("The new name is sent for validation")).to_be_visible()
    expect(page.get_by_test_id("name-change-new")).to_have_text("Drina Wood and Furniture Association")

    # Until it is approved, verification shows the name as it was.
    page.context.clear_cookies()
    page.goto(f"/verify/{label.code}/")
    expect(page.get_by_test_id("organisation")).to_have_text("Drina Wood Cluster")

    # The partner finds it in the validation list, sees both names, and approves.
    log_in(page, partner.email)
    page.goto("/clusters/validation/")
    waiting = page.get_by_test_id("name-changes")
    expect(waiting).to_contain_text("Drina Wood and Furniture Association")
    waiting.get_by_role("link", name="Drina Wood Cluster").click()
    expect(page.get_by_test_id("name-change-old")).to_have_text("Drina Wood Cluster")
    expect(page.get_by_test_id("name-change-new")).to_have_text("Drina Wood and Furniture Association")
    expect(page.get_by_test_id("name-change")).to_contain_text("The two clusters merged")
    screenshot(page, "partner")
    page.get_by_role("button", name="Approve the new name").click()
    expect(page.get_by_text("The new name is approved")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Drina Wood and Furniture Association")

    # Verification: awarded as the old name, and the name now.
    page.context.clear_cookies()
    page.goto(f"/verify/{label.code}/")
    expect(page.get_by_test_id("organisation")).to_have_text(
        "Drina Wood Cluster (now Drina Wood and Furniture Association)"
    )
    screenshot(page, "verified-after-rename")
