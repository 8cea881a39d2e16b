"""The embedded default sends reminders by itself: after beat ran as `make run`
starts it (no broker, no worker), the partner and the office see on the page of
a label expiring in 29 days that its reminder went out."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from accounts.enums import StaffRole
from labels.enums import ReminderState
from labels.models import LabelReminder
from tests.e2e.conftest import Screenshot
from tests.embedded_beat import embedded_beat
from tests.factories import (
    PASSWORD,
    LabelFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerStaffFactory,
    RoleGrantFactory,
)
from tests.polling import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_the_label_page_shows_the_reminder_beat_sent(
    page: Page, browser: Browser, live_server: LiveServer, screenshot: Screenshot, tmp_path: Path
) -> None:
    organisation = OrganisationFactory(country="RS")
    MembershipFactory(organisation=organisation)
    partner = PartnerStaffFactory(partner__countries=["RS"]).user
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    label = LabelFactory(organisation=organisation, valid_until=timezone.localdate() + timedelta(days=29))

    with embedded_beat(tmp_path) as beat:

        def reminder_sent() -> bool:
            beat.pull()
            return LabelReminder.objects.filter(label=label, state=ReminderState.SENT).exists()

        wait_for(reminder_sent, 90, "beat to send the reminder")

    office_page = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    for role, person, tab in [("partner", partner, page), ("office", office, office_page)]:
        log_in(tab, person.email)
        tab.goto(f"/labels/label/{label.code}/")

        reminders = tab.get_by_test_id("reminders")
        assert "No reminder has been sent" not in reminders.inner_text()
        cells = reminders.locator("tbody tr td").all_inner_texts()
        assert (len(cells), cells[0], cells[2], cells[4]) == (5, "30 days before expiry", "Sent", "2 people")
        screenshot(tab, role)
    office_page.context.close()
