"""Accessibility in a real browser: axe-core (vendored from npm, tests/vendor/axe-core)
finds no serious or critical violation on the public pages, the start pages,
the self-assessment and the dashboards; the login form and a self-assessment
section work with the keyboard alone; and the Content-Security-Policy blocks
nothing the portal itself needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from assessments.services import applications
from clusters.models import Membership
from common.enums import Level
from labels.demo import DEMO_PASSWORD, seed_demo
from labels.models import Label
from tests.e2e.conftest import Screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def demo(settings: Settings, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    manager = Membership.objects.select_related("organisation", "user").get(user__email="manager@demo.test")
    application = applications.application_start(organisation=manager.organisation, level=Level.BRONZE, by=manager.user)
    label = Label.objects.select_related("organisation").order_by("pk").first()
    return {"application": application, "label": label}


def _url(name: str, **kwargs: Any) -> str:
    # A page that no longer resolves fails the test: it must not drop out of the check quietly.
    return reverse(name, kwargs=kwargs or None)


def log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at {[node['target'] for node in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def pages_for(who: str | None, demo: dict[str, Any]) -> list[str]:
    application, label = demo["application"], demo["label"]
    pages: dict[str | None, list[str]] = {
        None: [
            "/",
            "/accounts/login/",
            f"/verify/{label.code}/",
            "/registry/",
            f"/registry/o/{label.organisation.slug}/",
        ],
        "manager@demo.test": [
            "/clusters/my/",
            f"/assessments/a/{application.pk}/",
            f"/assessments/a/{application.pk}/s/{application.version.sections.order_by('position').first().code}/",
        ],
        "partner@demo.test": ["/clusters/partner/", _url("labels:dashboard"), _url("assessments:partner_pipeline")],
        "office@demo.test": [
            "/labels/office/",
            "/assessments/office/",
            _url("labels:dashboard"),
            _url("labels:meetings"),
            _url("labels:meeting_schedule"),
            f"/labels/label/{label.code}/",
        ],
        "policy@demo.test": [_url("statistics:overview"), _url("statistics:comparison")],
        "committee@demo.test": ["/labels/committee/", _url("labels:meetings")],
    }
    return pages[who]


@pytest.mark.parametrize(
    "who",
    [None, "manager@demo.test", "partner@demo.test", "office@demo.test", "policy@demo.test", "committee@demo.test"],
    ids=["public", "manager", "partner", "office", "policy", "committee"],
)
def test_no_serious_accessibility_violation(
    browser: Browser, live_server: LiveServer, demo: dict[str, Any], screenshot: Screenshot, who: str | None
) -> None:
    # axe is injected as a script of its own: only the test's browser may bypass the portal's CSP.
    context = browser.new_context(base_url=live_server.url, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        if who:
            log_in(page, who)
        found = {}
        for url in pages_for(who, demo):
            response = page.goto(url)
            assert response is not None
            assert response.status < 400, f"{url}: {response.status}"
            problems = violations(page)
            if problems:
                screenshot(page, url.strip("/").replace("/", "_") or "root")
                found[url] = problems
    finally:
        context.close()

    assert found == {}


def test_login_and_self_assessment_work_by_keyboard_alone(
    page: Page, demo: dict[str, Any], screenshot: Screenshot
) -> None:
    blocked: list[str] = []
    page.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    # On any page the first Tab reaches the skip link, which leads to the main content.
    page.goto("/registry/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert page.evaluate("document.activeElement.matches(':focus-visible')")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")

    # Sign in with the keyboard only (the e-mail field has the focus when the page opens).
    page.goto("/accounts/login/")
    for _ in range(40):
        if page.evaluate("document.activeElement.name") == "username":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("manager@demo.test")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/clusters/my/")

    # A text answer typed and saved (autosave) without the mouse.
    application = demo["application"]
    section = application.version.sections.order_by("position").first()
    page.goto(f"/assessments/a/{application.pk}/s/{section.code}/")
    page.locator("#main").focus()
    reached = None
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "({tag: document.activeElement.tagName, type: document.activeElement.type || '',"
            " visible: document.activeElement.matches(':focus-visible')})"
        )
        assert focused["visible"], "the focused element shows no focus ring"
        if focused["tag"] in ("INPUT", "TEXTAREA") and focused["type"] in ("text", "textarea", "number", ""):
            reached = focused
            break
    assert reached is not None, "no answer field reachable by Tab"
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    # The server answered the keyboard's save (saved, or a message saying why not).
    status = page.wait_for_selector("[data-status]", timeout=10_000)
    assert status is not None
    assert status.get_attribute("data-status") in ("saved", "invalid")
    screenshot(page, "keyboard-saved")

    assert blocked == []
