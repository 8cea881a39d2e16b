"""Issue 4's journey in a real browser: the demo manager fills a Bronze
self-assessment across sessions with autosave, uploads evidence, is told what
is missing, submits; starts Gold and half fills it; a renewal shows the
previous answers and what changed."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Locator, Page
from pytest_django import Settings

from assessments.enums import ApplicationState
from assessments.models import Answer, Application
from labels.demo import DEMO_PASSWORD, seed_demo
from tests.e2e.conftest import Screenshot
from tests.files import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, email: str = "manager@demo.test") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/clusters/my/")


def number_for(card: Locator) -> str:
    field = card.locator("input[name=value]")
    low, high = field.get_attribute("data-min"), field.get_attribute("data-max")
    value = Decimal(low) + 1 if low is not None else Decimal(3)
    if high is not None and value > Decimal(high):
        value = Decimal(high)
    return str(value.quantize(Decimal(1)) if card.get_attribute("data-type") == "integer" else value)


def answer(card: Locator, tmp: Path, *, skip_files: bool = False, only_files: bool = False) -> bool:
    """Answer one indicator card as a person would; return True when a save is awaited."""
    kind = card.get_attribute("data-type")
    if only_files:
        kind = "file" if kind == "file" else "answered already"
    if kind in ("integer", "decimal", "percentage"):
        card.locator("input[name=value]").fill(number_for(card) if kind != "percentage" else "42")
        card.locator("input[name=value]").press("Tab")
    elif kind == "date":
        card.locator("input[name=value]").fill("2019-06-01")
        card.locator("input[name=value]").press("Tab")
    elif kind == "text":
        card.locator("textarea").fill("Answered in the browser.")
        card.locator("textarea").press("Tab")
    elif kind == "yes_no":
        card.locator("input[type=radio]").first.check()
    elif kind == "single_choice":
        card.locator("select").select_option(index=1)
    elif kind == "multiple_choice":
        card.locator("input[type=checkbox]").first.check()
    if kind not in ("file", "answered already"):
        pk = card.get_attribute("data-pk")
        card.page.locator(f"#status-{pk} [data-status=saved]").wait_for()
    needs_file = kind == "file" or card.locator(".badge", has_text="evidence required").count() > 0
    if needs_file and not skip_files:
        path = tmp / f"evidence-{card.get_attribute('data-code')}.pdf"
        path.write_bytes(PDF)
        card.locator("input[type=file]").set_input_files(str(path))
        card.get_by_role("button", name="Upload").click()
        card.get_by_role("link", name=path.name).wait_for()
    return True


def fill_section(
    page: Page, tmp: Path, *, limit: int | None = None, skip_files: bool = False, only_files: bool = False
) -> int:
    cards = page.locator(".indicator")
    count = cards.count() if limit is None else min(limit, cards.count())
    for i in range(count):
        answer(cards.nth(i), tmp, skip_files=skip_files, only_files=only_files)
    return count


def test_manager_fills_submits_renews(page: Page, screenshot: Screenshot, tmp_path: Path, settings: Settings) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    call_command("load_questionnaires", stdout=StringIO())
    # The demo gives this organisation the benchmarking behind its imported label;
    # this journey starts afresh, so that one is set aside (a withdrawn case pre-fills nothing).
    Application.objects.filter(organisation__memberships__user__email="manager@demo.test", level="bronze").update(
        state=ApplicationState.WITHDRAWN
    )
    log_in(page)

    # Start Bronze.
    page.get_by_role("link", name="Apply for a label: Panonija Food Valley Cluster").click()
    page.get_by_test_id("level-bronze").get_by_role("button").click()
    page.get_by_test_id("sections").wait_for()
    # The demo holds awarded benchmarkings of many organisations: the new one is the draft.
    application = Application.objects.get(level="bronze", state=ApplicationState.DRAFT)
    sections = [link.inner_text().split()[0] for link in page.get_by_test_id("sections").locator("a").all()]

    # First session: the first three groups, the last one without its files.
    for code in sections[:3]:
        page.goto(f"/assessments/a/{application.pk}/s/{code}/")
        fill_section(page, tmp_path, skip_files=code == sections[2])
    screenshot(page, "1-first-session")
    page.context.clear_cookies()  # the browser is closed: the session ends

    # Second session: the rest; the answers of the first are still there.
    log_in(page)
    page.goto(f"/assessments/a/{application.pk}/s/{sections[0]}/")
    assert page.locator(".indicator input[name=value]").first.input_value() != ""
    for code in sections[3:]:
        page.goto(f"/assessments/a/{application.pk}/s/{code}/")
        fill_section(page, tmp_path)

    # Told what is missing (the files of the third group), then complete it.
    page.goto(f"/assessments/a/{application.pk}/submit/")
    missing = page.get_by_test_id("missing")
    assert "evidence missing" in missing.inner_text() or "not answered" in missing.inner_text()
    screenshot(page, "2-missing")
    missing.locator("a").first.click()
    fill_section(page, tmp_path, only_files=True)
    page.goto(f"/assessments/a/{application.pk}/submit/")
    page.get_by_test_id("submit").click()
    assert page.get_by_test_id("state").inner_text() == "Submitted"
    assert Answer.objects.filter(application=application).count() >= 30
    screenshot(page, "3-submitted")

    # Gold: started and half filled.
    page.goto("/clusters/my/")
    page.get_by_role("link", name="Apply for a label: Panonija Food Valley Cluster").click()
    page.get_by_test_id("level-gold").get_by_role("button").click()
    page.get_by_test_id("sections").wait_for()
    gold = Application.objects.get(level="gold")
    gold_sections = [link.inner_text().split()[0] for link in page.get_by_test_id("sections").locator("a").all()]
    for code in gold_sections[:2]:
        page.goto(f"/assessments/a/{gold.pk}/s/{code}/")
        fill_section(page, tmp_path, skip_files=True)
    page.goto(f"/assessments/a/{gold.pk}/")
    progress = page.get_by_test_id("progress").get_attribute("aria-valuenow")
    assert progress is not None
    assert 0 < int(progress) < 100
    screenshot(page, "4-gold-half")

    # Renewal: once the Bronze cycle is closed, a new Bronze pre-fills and marks changes.
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.AWARDED)
    page.goto("/clusters/my/")
    page.get_by_role("link", name="Apply for a label: Panonija Food Valley Cluster").click()
    page.get_by_test_id("level-bronze").get_by_role("button").click()
    renewal = Application.objects.exclude(pk=application.pk).get(level="bronze", state=ApplicationState.DRAFT)
    page.goto(f"/assessments/a/{renewal.pk}/s/{sections[0]}/")
    first = page.locator(".indicator").first
    field = first.locator("input[name=value], textarea, select").first
    assert field.input_value() != ""
    if first.get_attribute("data-type") in ("integer", "decimal"):
        field.fill(str(Decimal(field.input_value()) + 1))
    else:
        field.fill("Changed for the renewal.")
    field.press("Tab")
    page.locator(f"#status-{first.get_attribute('data-pk')} [data-status=saved]").wait_for()
    page.reload()
    assert page.get_by_test_id("changed").count() == 1
    screenshot(page, "5-renewal-diff")
