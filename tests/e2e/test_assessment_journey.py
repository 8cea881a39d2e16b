"""Issue 5's journey in a real browser: the office assigns two experts to a Gold
application; both declare no conflict and score; one asks a question the
manager answers; they agree; the office checks; the committee awards; the
organisation sees the decision."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect
from pytest_django import Settings

from accounts.models import User
from assessments.enums import AnswerType
from assessments.models import Application, Indicator
from assessments.selectors import transitions_of
from assessments.services import applications
from clusters.models import ClusterOrganisation
from common.enums import Level
from labels.demo import DEMO_MANAGER_ORGANISATION, DEMO_PASSWORD, seed_demo
from labels.models import Label
from tests.e2e.board import board_awards
from tests.e2e.conftest import Screenshot
from tests.files import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def valid_raw(indicator: Indicator) -> list[str]:
    kind = indicator.answer_type
    if kind in (AnswerType.INTEGER, AnswerType.DECIMAL, AnswerType.PERCENTAGE):
        low = indicator.min_value if indicator.min_value is not None else Decimal(0)
        high = indicator.max_value if indicator.max_value is not None else low + 1000
        value = min(max(low + 20, low), high if kind != AnswerType.PERCENTAGE else min(high, Decimal(100)))
        return [str(int(value))]
    if kind == AnswerType.YES_NO:
        return ["yes"]
    if kind == AnswerType.DATE:
        return ["2018-05-01"]
    if kind in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        return [str(indicator.choices[0]["value"])]
    return ["Described in the browser journey."]


def submitted_gold(manager: User) -> Application:
    organisation = ClusterOrganisation.objects.get(name=DEMO_MANAGER_ORGANISATION)
    application = applications.application_start(organisation=organisation, level=Level.GOLD, by=manager)
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


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def score_all_sections(page: Page, application: Application) -> None:
    codes = list(application.version.sections.order_by("position").values_list("code", flat=True))
    for code in codes:
        page.goto(f"/assessments/a/{application.pk}/score/{code}/")
        for select in page.locator("select[name^=met-]").all():
            select.select_option("yes")
        page.get_by_test_id("save-scores").click()
        page.wait_for_load_state()


def test_gold_case_from_assignment_to_award(
    page: Page, screenshot: Screenshot, tmp_path: Path, settings: Settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    manager = User.objects.get(email="manager@demo.test")
    application = submitted_gold(manager)
    case = f"/assessments/a/{application.pk}/"

    # The office assigns a Serbian and a German expert.
    log_in(page, "office@demo.test")
    page.goto(case)
    page.get_by_role("link", name="Assign experts").click()
    page.get_by_label("Milica Assessor").check()
    page.get_by_label("Dieter Assessor").check()
    page.get_by_role("button", name="Assign and notify").click()
    assert "Assessor assignment" in page.get_by_test_id("state").inner_text()
    screenshot(page, "1-assigned")

    # Each declares no conflict before seeing anything.
    for email in ("assessor.rs@demo.test", "assessor.de@demo.test"):
        log_in(page, email)
        page.get_by_role("link", name="Declare conflicts first").click()
        page.get_by_label("I declare that I have no conflict of interest", exact=False).check()
        page.get_by_test_id("declare").click()
        page.wait_for_url(f"**{case}")
    assert page.get_by_test_id("state").inner_text() == "In assessment"

    # The Serbian expert scores and asks a question.
    log_in(page, "assessor.rs@demo.test")
    score_all_sections(page, application)
    page.locator("#clar-question").fill("Please upload the latest audited accounts.")
    page.locator("#clar-due").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Send the question").click()
    screenshot(page, "2-question")

    # The manager answers in the browser.
    log_in(page, "manager@demo.test")
    page.goto(case)
    page.get_by_label("Your answer").fill("They are attached to G3.")
    page.get_by_role("button", name="Send the answer").click()
    assert page.get_by_test_id("state").inner_text() == "In assessment"

    # Both hand in their own scores, then agree and complete.
    log_in(page, "assessor.rs@demo.test")
    page.goto(case)
    page.get_by_role("button", name="Hand in my own scores").click()
    log_in(page, "assessor.de@demo.test")
    score_all_sections(page, application)
    page.goto(case)
    page.get_by_role("button", name="Hand in my own scores").click()
    # Four eyes on the agreed scores: both experts confirm them before completing.
    page.get_by_test_id("confirm-agreed").click()
    log_in(page, "assessor.rs@demo.test")
    page.goto(case)
    page.get_by_test_id("confirm-agreed").click()
    expect(page.get_by_test_id("agreed-confirmed")).to_be_visible()
    log_in(page, "assessor.de@demo.test")
    page.goto(case)
    page.get_by_test_id("complete-link").click()
    page.get_by_label("Date of the interview or site visit").fill(date.today().isoformat())
    page.get_by_label("Summary").fill("A highly professional cluster management.")
    page.get_by_test_id("complete").click()
    assert page.get_by_test_id("state").inner_text() == "Assessed"
    screenshot(page, "3-assessed")

    # The office checks quality; the committee awards.
    log_in(page, "office@demo.test")
    page.goto(case)
    page.get_by_role("button", name="Start the quality check").click()
    page.get_by_test_id("to-committee").click()
    board_awards(page, application, log_in)
    screenshot(page, "4-decided")

    # The organisation sees the decision.
    log_in(page, "manager@demo.test")
    page.goto(case)
    assert page.get_by_test_id("decision").inner_text().startswith("Awarded")
    label = Label.objects.get(application=application)
    assert label.level == "gold"
    screenshot(page, "5-organisation-sees-award")

    # The manager downloads the certificate; a visitor verifies it from its QR code's address.
    page.goto("/clusters/my/")
    with page.expect_download() as download:
        page.get_by_test_id(f"certificate-{label.code}").click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    page.context.clear_cookies()
    page.goto(f"/verify/{label.code}/")
    assert page.get_by_test_id("state").get_attribute("data-state") == "valid"
    assert page.get_by_test_id("organisation").inner_text() == DEMO_MANAGER_ORGANISATION
    screenshot(page, "6-verified")

    # The office reads the case's history: every step, with who took it.
    log_in(page, "office@demo.test")
    page.goto(case)
    page.get_by_test_id("history-link").click()
    history = page.get_by_test_id("history")
    steps = history.locator("tbody tr[data-action='application.state']")
    moves = len([t for t in transitions_of(application) if t.from_state])  # every move after the start
    expect(steps).to_have_count(moves)
    expect(steps.first).to_contain_text("Awaiting decision → Awarded")
    expect(steps.first).to_contain_text("Conrad Committee")
    for action in ("assignment.created", "assignment.declared", "application.scores", "application.report"):
        expect(history.locator(f"tbody tr[data-action='{action}']").first).to_be_visible()
    expect(history.locator("tbody tr[data-action='application.decided']")).to_contain_text("Decided")
    screenshot(page, "7-history")
