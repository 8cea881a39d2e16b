"""The board's meeting in the browser, shared by the journeys that reach a decision:
the office schedules a meeting with the case and opens it with the demo committee
present (the default quorum); Clara proposes as rapporteur, Conrad approves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from playwright.sync_api import Page, expect

from assessments.models import Application

DEMO_MEMBERS = ("Conrad Committee", "Clara Committee", "Cyril Committee")


def board_awards(page: Page, application: Application, log_in: Callable[[Page, str], None]) -> str:
    """Award ``application`` at a meeting; returns the meeting page's address."""
    log_in(page, "office@demo.test")
    page.goto("/labels/board/")
    page.get_by_test_id("schedule-meeting").click()
    page.get_by_label("Date").fill(date.today().isoformat())
    page.get_by_test_id("schedule-form").locator(f"input[name=cases][value='{application.pk}']").check()
    page.get_by_test_id("schedule").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("Scheduled")
    meeting = page.url
    for name in DEMO_MEMBERS:
        page.get_by_label(name).check()
    page.get_by_test_id("open-meeting").click()
    expect(page.get_by_test_id("meeting-state")).to_have_text("In session")

    log_in(page, "committee2@demo.test")
    page.goto(meeting)
    row = page.get_by_test_id(f"agenda-item-{application.pk}")
    row.get_by_label("Proposed outcome").select_option("awarded")
    row.get_by_label("Reasons").fill("Passes the level's rule.")
    row.get_by_test_id("propose").click()
    # The rapporteur is offered no approval of his own proposal.
    expect(page.get_by_test_id(f"agenda-item-{application.pk}").get_by_test_id("approve")).to_have_count(0)

    log_in(page, "committee@demo.test")
    page.goto(meeting)
    page.get_by_test_id(f"agenda-item-{application.pk}").get_by_test_id("approve").click()
    expect(page.get_by_test_id(f"agenda-item-{application.pk}").get_by_test_id("decided")).to_be_visible()
    return meeting
