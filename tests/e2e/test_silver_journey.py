"""Issue 18's Silver journey in a real browser: the manager starts Silver inside its
window (the second benchmarking, 18 to 24 months after the first), picks three
improvement areas from the first benchmarking's recommendations and submits; the
auditor validates each area on site against a Gold criterion and scores the baseline
minimums; the office checks; the committee awards; the Silver label exists."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django import Settings

from accounts.models import User
from assessments.enums import AnswerType, ApplicationState
from assessments.models import Application, AssessmentReport, Indicator
from assessments.questionnaires.selectors import published_version
from assessments.services import applications
from clusters.models import ClusterOrganisation
from common.enums import Level
from labels.demo import DEMO_MANAGER_ORGANISATION, seed_demo
from labels.models import Label
from tests.e2e.board import board_awards
from tests.e2e.conftest import Screenshot
from tests.e2e.test_assessment_journey import log_in, score_all_sections, valid_raw
from tests.files import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_benchmarking(organisation: ClusterOrganisation) -> None:
    """A Bronze benchmarking 20 months ago with its recommendations, whatever day the test runs."""
    version = published_version(Level.BRONZE)
    assert version is not None
    application = Application.objects.create(
        organisation=organisation,
        level=Level.BRONZE,
        version=version,
        state=ApplicationState.AWARDED,
        assessed_on=timezone.localdate() - relativedelta(months=20),
    )
    AssessmentReport.objects.create(
        application=application,
        passed=True,
        recommendations={
            "B3": "Make the financing less dependent on public grants.",
            "B4": "Measure member satisfaction every year.",
            "B5": "Build partnerships with clusters abroad.",
        },
    )


def answer_everything(application: Application, manager: User) -> None:
    for indicator in Indicator.objects.filter(version=application.version):
        if indicator.answer_type != AnswerType.FILE:
            applications.answer_save(
                application=application, indicator=indicator, raw=valid_raw(indicator), revision=0, by=manager
            )
        if indicator.answer_type == AnswerType.FILE or indicator.evidence_required:
            applications.evidence_add(
                application=application, indicator=indicator, upload=SimpleUploadedFile("e.pdf", PDF), by=manager
            )


def test_silver_case_from_start_to_label(
    page: Page, screenshot: Screenshot, tmp_path: Path, settings: Settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    manager = User.objects.get(email="manager@demo.test")
    organisation = ClusterOrganisation.objects.get(name=DEMO_MANAGER_ORGANISATION)
    first_benchmarking(organisation)

    # The start page says when Silver is possible; the manager starts it.
    log_in(page, "manager@demo.test")
    page.goto("/clusters/my/")
    expect(page.get_by_test_id(f"silver-window-{organisation.slug}")).to_contain_text("Silver possible from")
    page.goto(f"/assessments/new/{organisation.slug}/")
    page.get_by_test_id("level-silver").get_by_role("button", name="Start Silver").click()
    application = Application.objects.get(organisation=organisation, level=Level.SILVER)
    case = f"/assessments/a/{application.pk}/"
    page.wait_for_url(f"**{case}")
    answer_everything(application, manager)

    # Three improvement areas, chosen from the first benchmarking's recommendations.
    page.get_by_test_id("areas-link").click()
    for n in (1, 2, 3):
        page.get_by_label(f"Improvement area {n}").select_option(index=n)
    screenshot(page, "1-areas")
    page.get_by_test_id("areas-save").click()
    page.wait_for_url(f"**{case}")
    expect(page.get_by_test_id("improvement-areas").locator("li")).to_have_count(3)
    page.goto(f"{case}submit/")
    page.get_by_test_id("submit").click()
    assert page.get_by_test_id("state").inner_text() == "Submitted"

    # The office assigns the auditor, who declares no conflict.
    log_in(page, "office@demo.test")
    page.goto(case)
    page.get_by_role("link", name="Assign experts").click()
    page.get_by_label("Milica Assessor").check()
    page.get_by_role("button", name="Assign and notify").click()
    log_in(page, "assessor.rs@demo.test")
    page.get_by_role("link", name="Declare conflicts first").click()
    page.get_by_label("I declare that I have no conflict of interest", exact=False).check()
    page.get_by_test_id("declare").click()
    page.wait_for_url(f"**{case}")
    assert page.get_by_test_id("state").inner_text() == "In assessment"

    # On site: the baseline minimums scored, each area validated against a Gold criterion.
    score_all_sections(page, application)
    page.goto(case)
    page.get_by_test_id("validate-link").click()
    for n in (1, 2, 3):
        card = page.get_by_test_id(f"area-{n}")
        card.get_by_label("Validated", exact=True).check()
        card.get_by_label("Gold criterion checked against").select_option(index=n)
        card.get_by_test_id(f"validate-{n}").click()
        page.wait_for_load_state()
    expect(page.get_by_test_id("result")).to_contain_text("Passes the level's rule")
    screenshot(page, "2-validated")
    page.goto(case)
    page.get_by_test_id("complete-link").click()
    page.get_by_label("Date of the interview or site visit").fill(date.today().isoformat())
    page.get_by_label("Summary").fill("Three areas improved since the first benchmarking, validated on site.")
    page.get_by_test_id("complete").click()
    assert page.get_by_test_id("state").inner_text() == "Assessed"

    # The office checks quality; the board awards at a meeting.
    log_in(page, "office@demo.test")
    page.goto(case)
    page.get_by_role("button", name="Start the quality check").click()
    page.get_by_test_id("to-committee").click()
    board_awards(page, application, log_in)
    screenshot(page, "3-decided")

    # The Silver label exists, and the organisation sees the award.
    label = Label.objects.get(application=application)
    assert label.level == Level.SILVER
    assert [area.validated for area in application.improvement_areas.all()] == [True, True, True]
    log_in(page, "manager@demo.test")
    page.goto(case)
    assert page.get_by_test_id("decision").inner_text().startswith("Awarded")
