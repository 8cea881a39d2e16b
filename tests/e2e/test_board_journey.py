"""The board in a real browser (issue 18): the office schedules a meeting with a Gold
case ready for a decision and opens it with a quorum; a rapporteur proposes the
award, a second member approves it; the office closes the meeting and a member
downloads the minutes (rendered by the worker); the manager downloads the certificate."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django import Settings

from accounts.enums import StaffRole
from accounts.models import User
from accounts.selectors import people_with_role
from assessments.enums import ApplicationState
from assessments.models import Application
from assessments.services import assessing
from labels.demo import seed_demo
from labels.models import Label
from tests.assessments.test_workflow import score_everything
from tests.e2e.board import board_awards
from tests.e2e.conftest import Screenshot
from tests.e2e.test_assessment_journey import log_in, submitted_gold

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def gold_awaiting_decision(manager: User) -> Application:
    """The demo organisation's Gold case, assessed by the two demo experts and checked by the office."""
    application = submitted_gold(manager)
    office = people_with_role(StaffRole.LABEL_OFFICE)[0]
    experts = [User.objects.get(email=f"assessor.{c}@demo.test") for c in ("rs", "de")]
    assessing.assignment_create(application=application, assessors=experts, by=office)
    for expert in experts:
        assessing.assignment_declare(
            assignment=application.assignments.get(assessor=expert), by=expert, no_conflict=True
        )
    for expert in experts:
        score_everything(application, expert)
        assessing.own_scores_submit(application=application, by=expert)
    for expert in experts:
        assessing.agreed_scores_confirm(application=application, by=expert)
    assessing.assessment_complete(
        application=application, by=experts[0], assessed_on=timezone.localdate(), summary="Excellent."
    )
    for to_state in (ApplicationState.IN_QUALITY_CHECK, ApplicationState.AWAITING_DECISION):
        assessing.quality_check(application=application, by=office, to_state=to_state)
    return application


def test_board_meeting_from_proposal_to_certificate(
    page: Page, screenshot: Screenshot, tmp_path: Path, settings: Settings
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    manager = User.objects.get(email="manager@demo.test")
    application = gold_awaiting_decision(manager)

    # The committee sees the case waiting; the board decides it in a meeting.
    log_in(page, "committee@demo.test")
    expect(page.get_by_test_id("decision-queue")).to_contain_text(application.organisation.name)
    meeting = board_awards(page, application, log_in)
    screenshot(page, "1-approved")
    assert Application.objects.get(pk=application.pk).state == ApplicationState.AWARDED

    # The office closes the meeting; a member downloads the minutes.
    log_in(page, "office@demo.test")
    page.goto(meeting)
    page.get_by_test_id("close-meeting").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("Closed")
    log_in(page, "committee3@demo.test")
    page.goto(meeting)
    with page.expect_download() as download:
        page.get_by_test_id("minutes").click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("Clara Committee", "Conrad Committee", "Cyril Committee", "Awarded", "quorum 3"):
        assert expected in text
    screenshot(page, "2-minutes")

    # The manager sees the award and downloads the certificate.
    label = Label.objects.get(application=application)
    log_in(page, "manager@demo.test")
    page.goto("/clusters/my/")
    with page.expect_download() as certificate:
        page.get_by_test_id(f"certificate-{label.code}").click()
    assert Path(certificate.value.path()).read_bytes()[:5] == b"%PDF-"
    screenshot(page, "3-certificate")
