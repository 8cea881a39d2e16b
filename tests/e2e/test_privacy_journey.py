"""A manager downloads his data; the office erases an assessor; the label he assessed still verifies."""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page

from accounts.models import User
from privacy.erasure import pseudonym_for
from tests.e2e.conftest import Screenshot
from tests.factories import PASSWORD
from tests.privacy import conftest as privacy_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
organisation = privacy_fixtures.organisation
manager = privacy_fixtures.manager
staff = privacy_fixtures.staff
gold_awarded = privacy_fixtures.gold_awarded


def log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_manager_downloads_his_data_office_erases_an_assessor_label_still_verifies(
    page: Page, gold_awarded: SimpleNamespace, screenshot: Screenshot
) -> None:
    case = gold_awarded
    log_in(page, case.manager.email)
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Your data").click()
    page.get_by_test_id("export-request").click()
    page.wait_for_load_state()
    page.reload()
    with page.expect_download() as download:
        page.get_by_test_id("export-download").click()
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert json.loads(archive.read("data.json"))["account"]["email"] == case.manager.email
    screenshot(page, "my-data")

    expert_email = case.expert.email
    log_in(page, case.staff["office"].email)
    page.goto("/privacy/erasures/")
    page.get_by_label("E-mail address of the person").fill(expert_email)
    page.get_by_label("Reason").fill("Asked by letter")
    page.get_by_label("Legal basis").fill("GDPR art. 17(1)(a)")
    page.get_by_role("button", name="Erase this person's data").click()
    page.wait_for_load_state()
    pseudonym = pseudonym_for(User.objects.get(pk=case.expert.pk))
    assert pseudonym in page.get_by_test_id("erasures").inner_text()
    screenshot(page, "erased")

    page.context.clear_cookies()
    page.goto(f"/verify/{case.label.code}/")
    assert page.get_by_test_id("state").get_attribute("data-state") == "valid"
    assert expert_email not in page.content()
    screenshot(page, "still-verifies")
