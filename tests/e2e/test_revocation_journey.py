"""The office revokes a renewal by mistake and reinstates it; the public verification page follows each step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.enums import StaffRole
from common.enums import Level
from labels.enums import LabelSource
from labels.models import Label
from labels.services import label_create
from tests.e2e.conftest import Screenshot
from tests.e2e.test_history_journey import log_in
from tests.factories import OrganisationFactory, RoleGrantFactory
from tests.labels.test_revocation import months_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_revokes_a_renewal_then_reinstates_it_and_verification_follows(
    page: Page, browser: Browser, live_server: LiveServer, screenshot: Screenshot
) -> None:
    organisation = OrganisationFactory(name="Morava Energy Cluster", country="RS")
    first = label_create(
        organisation=organisation, level=Level.BRONZE, assessed_on=months_ago(23), source=LabelSource.APPLICATION
    )
    renewal = label_create(
        organisation=organisation,
        level=Level.BRONZE,
        assessed_on=timezone.localdate() - timedelta(days=1),
        source=LabelSource.APPLICATION,
    )
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()

    def verification(label: Label) -> tuple[str | None, str]:
        visitor.goto(f"/verify/{label.code}/")
        state = visitor.get_by_test_id("state")
        return state.get_attribute("data-state"), state.inner_text().strip()

    # Renewed before it ran out: the renewal starts when the first label ends, and says so.
    assert verification(renewal) == ("valid", f"Valid from {renewal.valid_from.isoformat()}")
    assert verification(first) == ("superseded", "Replaced by a newer label")

    log_in(page, office.email)
    page.goto(f"/labels/label/{renewal.code}/")
    page.get_by_label("Reason (shown on the verification page)").fill("The benchmarking never took place.")
    page.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("revoked")).to_contain_text("The benchmarking never took place.")
    screenshot(page, "revoked")

    assert verification(renewal) == ("revoked", "Revoked")
    expect(visitor.get_by_test_id("revoke-reason")).to_contain_text("The benchmarking never took place.")
    # The label it had replaced is the organisation's current label again, as its own dates say.
    assert verification(first) == ("expiring", "Valid label, expiring soon")
    expect(visitor.get_by_text("Newer label")).to_have_count(0)
    screenshot(visitor, "first-current-again")

    page.get_by_label("Why the revocation was wrong").fill("Revoked in error: the benchmarking was on 2 June.")
    page.get_by_test_id("reinstate").click()
    expect(page.get_by_test_id("state")).to_have_text("Valid")
    events = page.get_by_test_id("events")
    expect(events).to_contain_text("Revoked")
    expect(events).to_contain_text("Reinstated")
    expect(events).to_contain_text("Revoked in error: the benchmarking was on 2 June.")
    screenshot(page, "reinstated")

    assert verification(renewal) == ("valid", f"Valid from {renewal.valid_from.isoformat()}")
    assert verification(first) == ("superseded", "Replaced by a newer label")
    visitor.context.close()
