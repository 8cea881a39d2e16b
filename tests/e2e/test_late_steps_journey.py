"""Nothing stuck, in the browser: the office finds an expert who never declared in
its queue of late steps, replaces him, and the case goes on with another."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.enums import StaffRole
from assessments.enums import AssignmentState
from assessments.models import Assignment
from assessments.services import assessing
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.assessments.test_workflow import submitted
from tests.e2e.conftest import Screenshot
from tests.e2e.test_history_journey import log_in
from tests.factories import AssessorProfileFactory, MembershipFactory, OrganisationFactory, RoleGrantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_replaces_an_expert_who_never_declares_from_the_late_steps_queue(
    page: Page, screenshot: Screenshot
) -> None:
    make_version("bronze")
    manager = MembershipFactory(organisation=OrganisationFactory(country="RS", **ELIGIBLE))
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    silent = AssessorProfileFactory(
        home_country="RS", certified_levels=["bronze"], user__full_name="Silent Expert"
    ).user
    willing = AssessorProfileFactory(
        home_country="RS", certified_levels=["bronze"], user__full_name="Willing Expert"
    ).user
    application = submitted(manager)
    assessing.assignment_create(application=application, assessors=[silent], by=office)
    # Assigned three weeks ago, never declared: well past the declaration's working days.
    Assignment.objects.filter(application=application).update(assigned_at=timezone.now() - timedelta(days=21))

    log_in(page, office.email)
    page.goto("/labels/office/")
    page.get_by_test_id("late-steps-link").click()
    late = page.get_by_test_id("late-steps").locator("tbody tr")
    expect(late).to_have_count(1)
    expect(late.first).to_contain_text("declare a conflict of interest")
    expect(late.first).to_contain_text("Silent Expert")
    screenshot(page, "queue")

    late.first.get_by_text("Replace the expert").click()
    late.first.get_by_label("Reason").fill("No declaration in three weeks.")
    late.first.get_by_role("button", name="Remove and assign another").click()

    expect(page.get_by_role("heading", name="Assign experts")).to_be_visible()
    expect(page.get_by_test_id("experts")).not_to_contain_text("Silent Expert")
    page.get_by_label("Willing Expert").check()
    page.get_by_role("button", name="Assign and notify").click()

    assignments = page.get_by_test_id("assignments")
    expect(assignments).to_contain_text("Silent Expert · Removed by the office")
    expect(assignments).to_contain_text("Willing Expert · Awaiting declaration")
    screenshot(page, "replaced")
    page.goto("/assessments/office/late/")
    expect(page.get_by_test_id("late-steps")).to_contain_text("No step is late.")

    # The removed expert has lost the case: neither the declaration nor the application opens to him.
    removed = Assignment.objects.get(assessor=silent)
    assert removed.state == AssignmentState.REMOVED
    assert Assignment.objects.get(assessor=willing).state == AssignmentState.PENDING
    log_in(page, silent.email)
    assert page.goto(f"/assessments/assignments/{removed.pk}/declare/").status == 404  # type: ignore[union-attr]
    assert page.goto(f"/assessments/a/{application.pk}/").status == 404  # type: ignore[union-attr]
