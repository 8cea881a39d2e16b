"""A visitor verifies a label by typing its code: from the header and from the unknown-code page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from common.enums import Level
from labels.enums import LabelSource
from labels.services import label_create
from tests.e2e.conftest import Screenshot
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_verifies_a_code_typed_by_hand(page: Page, screenshot: Screenshot) -> None:
    label = label_create(
        organisation=OrganisationFactory(name="Morava Energy Cluster", country="RS"),
        level=Level.BRONZE,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
    )
    page.goto("/registry/")

    page.get_by_role("link", name="Verify a label").click()
    page.get_by_label("Label code").fill("rs-b-2026-zzzz")
    page.get_by_role("button", name="Verify").click()

    assert "/verify/RS-B-2026-ZZZZ/" in page.url
    assert page.get_by_test_id("unknown").inner_text().startswith("No label has the code RS-B-2026-ZZZZ")
    screenshot(page, "unknown")

    page.get_by_label("Label code").fill("  " + label.code.lower().replace("-", " ") + " ")
    page.get_by_role("button", name="Verify").click()

    page.wait_for_url(f"**/verify/{label.code}/")
    assert page.get_by_test_id("organisation").inner_text() == "Morava Energy Cluster"
    assert page.get_by_test_id("state").get_attribute("data-state") == "valid"
    screenshot(page, "found")
