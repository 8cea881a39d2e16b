"""A visitor's front door: the levels and their holders, the verify box, the registry search, how to apply."""

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


def test_visitor_learns_the_labels_verifies_searches_and_finds_how_to_apply(page: Page, screenshot: Screenshot) -> None:
    label = label_create(
        organisation=OrganisationFactory(name="Morava Energy Cluster", country="RS"),
        level=Level.GOLD,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
    )
    page.goto("/")

    assert page.get_by_test_id("holders-gold").inner_text().startswith("1 organisation holds it today")
    assert page.get_by_test_id("countries-gold").inner_text() == "in 1 country: Serbia"
    assert page.get_by_test_id("holders-bronze").inner_text().startswith("0 organisations")
    assert "Proven for Cluster Excellence" in page.get_by_test_id("level-gold").inner_text()
    screenshot(page, "front-door")

    page.get_by_label("Label code").fill(label.code.lower())
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_url(f"**/verify/{label.code}/")
    assert page.get_by_test_id("organisation").inner_text() == "Morava Energy Cluster"

    page.goto("/")
    registry = page.get_by_test_id("home-registry")
    registry.get_by_label("Organisation").fill("Morava")
    registry.get_by_label("Country").select_option("RS")
    registry.get_by_role("button", name="Search").click()
    page.wait_for_url("**/registry/?**")
    assert "Morava Energy Cluster" in page.get_by_test_id("registry").inner_text()
    screenshot(page, "registry")

    page.goto("/")
    page.get_by_test_id("apply-steps").wait_for()
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url("**/accounts/signup/")
    screenshot(page, "signup")
