"""Every page at a phone's width (390 by 844 px): nothing wider than the screen, no link refused.

Each demo role signs in and opens every page its start page links to, one
click deep; a visitor opens the public pages. A table may scroll inside its own
box (``.table-responsive``); the page itself must never scroll sideways.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from labels.demo import DEMO_PASSWORD, seed_demo
from labels.models import Label
from tests.e2e.conftest import Screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
ROLES = (
    "office@demo.test",
    "committee@demo.test",
    "assessor.rs@demo.test",
    "manager@demo.test",
    "partner@demo.test",
    "policy@demo.test",
)
# Links that are not pages to look at: files, the admin (Django's own look), the API's documents.
NOT_PAGES = ("/admin/", "/api/", "/csv/", "/certificate", "/logo", "/download", "/export", ".pdf", ".csv", ".json")
# What sticks out past the screen's right edge and is not inside a box that scrolls
# sideways (a clipped table is as unusable as a page that scrolls): a few of them, named.
STICKING_OUT = """() => {
  const scrolls = (el) => { for (let e = el.parentElement; e; e = e.parentElement) {
      const x = getComputedStyle(e).overflowX; if (x === "auto" || x === "scroll") return true; } return false; };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
      (e.className && typeof e.className === "string" ? "." + e.className.trim().split(/\\s+/).join(".") : "") +
      (e.dataset.testid ? "[" + e.dataset.testid + "]" : "");
  const out = [];
  for (const e of document.querySelectorAll("main *, nav *")) {
    const box = e.getBoundingClientRect();
    if (box.width && box.right > window.innerWidth + 1 && !scrolls(e)
        && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1)) out.push(name(e));
  }
  return [...new Set(out)].slice(0, 4);
}"""


def _width_check(page: Page, path: str, too_wide: list[str], refused: list[str] | None = None) -> None:
    """Open ``path`` and note it when it is wider than the screen, or (a link the
    page offered, ``refused`` given) when it answers with an error."""
    response = page.goto(path)
    if refused is not None and (response is None or response.status >= 400):
        refused.append(f"{path}: {response.status if response else 'no answer'}")
    if response is not None and "text/html" not in response.headers.get("content-type", ""):
        return
    width = page.evaluate("document.documentElement.scrollWidth")
    sticking_out = page.evaluate(STICKING_OUT)
    if width > page.evaluate("window.innerWidth") or sticking_out:
        too_wide.append(f"{path}: {width} px, {sticking_out}")


def _links_on(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("main a[href], nav a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or any(bit in parts.path for bit in NOT_PAGES):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in paths:
            paths.append(path)
    return paths


def _log_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_no_page_is_wider_than_a_phone(browser: Browser, live_server: LiveServer, screenshot: Screenshot) -> None:
    seed_demo()
    label = Label.objects.select_related("organisation").order_by("pk").first()
    assert label is not None
    too_wide: list[str] = []
    refused: list[str] = []

    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    visitor = context.new_page()
    visitor.set_default_timeout(15_000)
    public = ["/", "/registry/", f"/registry/o/{label.organisation.slug}/", f"/verify/{label.code}/"]
    for path in [*public, "/verify/?code=NO-SUCH-CODE", "/accounts/login/", "/accounts/signup/", "/privacy/"]:
        _width_check(visitor, path, too_wide)
        if path == "/":
            screenshot(visitor, "front-door")
    context.close()

    for email in ROLES:
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        _log_in(page, email)
        start = urlsplit(page.url).path
        _width_check(page, start, too_wide)
        screenshot(page, email.split("@")[0])
        for path in _links_on(page, live_server.url):
            _width_check(page, path, too_wide, refused)
        context.close()

    assert too_wide == [], "\n".join(too_wide)
    # One click deep, no link a role is offered answers 403, 404 or 500.
    assert refused == [], "\n".join(refused)
