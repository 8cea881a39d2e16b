"""The history page in the browser: the office reads every step with its actor, the applicant by role."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.enums import StaffRole
from assessments.models import Application
from assessments.services import assessing
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.assessments.test_workflow import submitted
from tests.factories import PASSWORD, AssessorProfileFactory, MembershipFactory, OrganisationFactory, RoleGrantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_office_and_applicant_read_the_history_of_a_case(page: Page, screenshot) -> None:
    make_version("bronze")
    manager = MembershipFactory(organisation=OrganisationFactory(country="RS", **ELIGIBLE))
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    expert = AssessorProfileFactory(home_country="RS", certified_levels=["bronze"]).user
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[expert], by=office)
    assessing.assignment_declare(assignment=application.assignments.get(), by=expert, no_conflict=True)
    application = Application.objects.get(pk=application.pk)

    log_in(page, office.email)
    page.goto(f"/assessments/a/{application.pk}/")
    page.get_by_test_id("history-link").click()
    rows = page.get_by_test_id("history").locator("tbody tr[data-action='application.state']")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(expert.get_full_name())
    expect(rows.nth(0)).to_contain_text("Assessor assignment → In assessment")
    expect(rows.nth(2)).to_contain_text(manager.user.get_full_name())
    screenshot(page, "office")

    page.get_by_label("By").select_option(label=office.get_full_name())
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("Submitted → Assessor assignment")
    expect(page.get_by_test_id("history").locator("tbody tr")).to_have_count(2)  # and the assignment itself

    log_in(page, manager.user.email)
    page.goto(f"/assessments/a/{application.pk}/")
    page.get_by_test_id("history-link").click()
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("An assessor")
    expect(page.get_by_test_id("history")).not_to_contain_text(expert.get_full_name())
    # The declaration of no conflict is the office's to read.
    expect(page.get_by_test_id("history").locator("tbody tr[data-action='assignment.declared']")).to_have_count(0)
    screenshot(page, "applicant")
