"""Issue 10's continuous journey in a real browser, every role in turn, one case.

A newcomer signs up and registers a Serbian cluster organisation; the Serbian
partner validates it; the newcomer, now its manager, fills and submits a Bronze
self-assessment with evidence; the office assigns an assessor; the assessor
declares no conflict, scores and asks a question; the manager answers; the
assessor completes; the office checks quality; the committee awards; the
manager downloads the certificate; a visitor opens the address of its QR code
and reads "valid"; the partner counts the new label on the expiry dashboard.
Each step leaves ``test-artifacts/screenshots/full-NN-<step>.png``, and the
certificate is kept as ``test-artifacts/full-journey-certificate.pdf``.

Where the background work runs, decided once for the module:

- With a broker *and* PostgreSQL configured (CI: ``.ci/run`` starts a worker
  on the test database), the test is marked ``services``: every task the
  journey queues (the assessment report, the certificate) goes to the REAL
  worker, which reads the committed rows of the test database and writes to
  the configured ``MEDIA_ROOT``, so the live server reads the same folder. The
  manager's download may first show "being prepared", which reloads itself
  until the worker's PDF arrives (up to 60 s).
- Otherwise (``make test`` on a bare machine: SQLite, no broker) the
  ``tasks_in_process`` fixture runs the tasks in the test's process, and the
  files go to a temporary folder. A broker without PostgreSQL also runs here:
  a worker could not see a SQLite test database.

``REQUIRE_SERVICES=1`` turns a missing broker, PostgreSQL or pdftoppm into a
failure instead of the in-process run (or, for pdftoppm, a skipped QR read).
E-mails are sent synchronously by the web process in both modes, so the
confirmation link is read from ``mail.outbox``.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

import escaportal.settings as configured
from assessments.models import Application, AssessmentReport, BenchmarkingReport, Evidence
from clusters.enums import EligibilityCriterion
from labels.demo import DEMO_PASSWORD, seed_demo
from labels.models import Label
from tests.conftest import REQUIRE_SERVICES
from tests.e2e.board import board_awards
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_self_assessment_journey import fill_section
from tests.files import stored_name
from tests.polling import wait_for

REAL_WORKER = (
    not django_settings.CELERY_TASK_ALWAYS_EAGER
    and django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    *([pytest.mark.services] if REAL_WORKER else []),
]

ORGANISATION = "Sava Valley Agrifood Cluster"
NEWCOMER = "newcomer@example.test"
PASSWORD = "a-good-long-password-10"
CERTIFICATE_WAIT = 60  # seconds the worker gets to render the certificate


@pytest.fixture
def media_root(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """Where the files go: the configured folder when the real worker (another
    process) writes them, this test's own otherwise. The journey's files are
    removed from the configured folder afterwards (the rows still exist then)."""
    if not REAL_WORKER:
        settings.MEDIA_ROOT = tmp_path / "media"
        yield settings.MEDIA_ROOT
        return
    settings.MEDIA_ROOT = configured.MEDIA_ROOT
    yield settings.MEDIA_ROOT
    files = [
        *(row.file for row in Evidence.objects.filter(application__organisation__name=ORGANISATION)),
        *(row.pdf for row in AssessmentReport.objects.filter(application__organisation__name=ORGANISATION)),
        *(row.pdf for row in BenchmarkingReport.objects.filter(application__organisation__name=ORGANISATION)),
        *(row.certificate for row in Label.objects.filter(organisation__name=ORGANISATION)),
    ]
    for file in files:
        if file:
            with contextlib.suppress(OSError):
                file.storage.delete(stored_name(file))


def shot(page: Page, number: int, step: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"full-{number:02d}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def follow(page: Page, link: Locator) -> None:
    """Click a link and wait for its page to load: the cards are counted right after."""
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")


def log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """A fresh session (the previous person closed the browser), then the login form."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def confirmation_link() -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/signup/confirm/[^\s]*)", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def holding_count(page: Page, wanted: int | None = None) -> int:
    """The partner's "Hold a valid label" figure, from the start page's link to the dashboard.

    The figures are stored rows (``labels.figures``), refreshed after a change; until the
    refresh has run the page says they are being prepared, or shows the last ones, and the
    partner reloads, as the page asks, until they are there (and show ``wanted``). Here the
    refresh runs in the test's process (``tests/conftest.py``), as in the embedded default."""
    page.goto("/clusters/partner/")
    page.get_by_test_id("dashboard-link").click()
    figure = page.get_by_test_id("figure-holding")
    shown: list[int] = []

    def ready() -> bool:
        if figure.count() and "Hold a valid label" in figure.inner_text():
            shown.append(int(figure.locator(".display-6").inner_text()))
            if wanted is None or shown[-1] == wanted:
                return True
        page.reload()
        return False

    wait_for(ready, 60, f"the stored figures (holding {wanted})" if wanted is not None else "the stored figures")
    return shown[-1]


def qr_payloads(pdf: Path, workdir: Path) -> list[str] | None:
    """Every QR code on the PDF's page (pdftoppm, then zxing-cpp); None without pdftoppm."""
    if shutil.which("pdftoppm") is None:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES=1 but pdftoppm (poppler-utils) is missing", pytrace=False)
        return None
    import zxingcpp
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", str(pdf), str(workdir / "page")], check=True)
    return [result.text for result in zxingcpp.read_barcodes(Image.open(workdir / "page.png"))]


def test_every_role_from_sign_up_to_a_verified_label(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    media_root: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    if REQUIRE_SERVICES:
        request.getfixturevalue("broker_url")  # fails the run without a broker
        request.getfixturevalue("postgres")  # ... or without PostgreSQL
    for stale in ARTIFACTS.glob("full-*.png"):  # a step skipped this time leaves no older picture behind
        stale.unlink()
    seed_demo()
    started = time.monotonic()

    # 1. A newcomer signs up, confirms the address, registers the organisation.
    page.goto("/accounts/signup/")
    page.get_by_label("E-mail address").fill(NEWCOMER)
    page.get_by_label("Full name").fill("Nina Newcomer")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_test_id("signup-sent").wait_for()
    shot(page, 1, "signup-sent")
    page.goto(confirmation_link())
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()
    page.get_by_role("link", name="Register your cluster organisation").click()
    page.get_by_label("Legal name").fill(ORGANISATION)
    page.get_by_label("Country").select_option("RS")
    page.get_by_label("City").fill("Belgrade")
    page.get_by_label("Website", exact=True).fill("https://sava-agrifood.example")
    page.get_by_label("Website in English").check()
    page.get_by_label("ECCP profile").fill(
        "https://www.clustercollaboration.eu/cluster-organisations/sava-valley-agrifood"
    )
    page.get_by_label("Food industry").check()
    page.get_by_label("Management staff (FTE)").fill("2")
    page.get_by_label("SMEs").fill("14")
    page.get_by_label("Research and universities").fill("3")
    page.get_by_role("spinbutton", name="Public bodies").fill("1")
    page.get_by_role("button", name="Register and send for validation").click()
    page.get_by_test_id("eligibility").wait_for()
    expect(page.get_by_test_id("state")).to_have_text("Pending validation")
    expect(page.locator("[data-criterion][data-status=met]")).to_have_count(len(EligibilityCriterion))
    shot(page, 2, "registered")

    # 2. The Serbian partner validates it (and notes the dashboard's figure before any label).
    log_in(page, "partner@demo.test")
    page.get_by_test_id("queue-link").click()
    page.get_by_role("link", name=ORGANISATION, exact=True).click()
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_test_id("state")).to_have_text("Active")
    shot(page, 3, "validated")
    holding_before = holding_count(page)

    # 3. The newcomer, now manager, fills a Bronze self-assessment and submits it.
    log_in(page, NEWCOMER, PASSWORD)
    page.get_by_role("link", name=f"Apply for a label: {ORGANISATION}").click()
    page.get_by_test_id("level-bronze").get_by_role("button", name="Start Bronze").click()
    sections = page.get_by_test_id("sections")
    sections.wait_for()
    shot(page, 4, "bronze-started")
    follow(page, sections.locator("a").first)
    while True:
        fill_section(page, tmp_path)
        following = page.get_by_test_id("next-section")
        if following.count() == 0:
            break
        follow(page, following)
    shot(page, 5, "last-section-filled")
    page.get_by_role("link", name="Back to the overview").click()
    page.get_by_role("link", name="Check and submit").click()
    page.get_by_test_id("complete").wait_for()
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("state")).to_have_text("Submitted")
    shot(page, 6, "submitted")
    application = Application.objects.get(organisation__name=ORGANISATION, level="bronze")
    case = f"/assessments/a/{application.pk}/"

    # 4. The office assigns the Serbian assessor from its case list.
    log_in(page, "office@demo.test")
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_test_id("to-assign").get_by_role("link", name=ORGANISATION).click()
    page.get_by_role("link", name="Assign experts").click()
    page.get_by_label("Milica Assessor").check()
    shot(page, 7, "assigning")
    page.get_by_role("button", name="Assign and notify").click()
    expect(page.get_by_test_id("state")).to_have_text("Assessor assignment")

    # 5. The assessor declares no conflict, scores every indicator, asks a question.
    log_in(page, "assessor.rs@demo.test")
    cases = page.get_by_test_id("assigned-cases").locator("li", has_text=ORGANISATION)
    cases.get_by_role("link", name="Declare conflicts first").click()
    page.get_by_label("I declare that I have no conflict of interest", exact=False).check()
    page.get_by_test_id("declare").click()
    page.wait_for_url(f"**{case}")
    expect(page.get_by_test_id("state")).to_have_text("In assessment")
    follow(page, page.get_by_test_id("score-link"))
    pills = page.locator(".nav-pills .nav-link")
    for position in range(pills.count()):
        if position:
            follow(page, pills.nth(position))
        for select in page.locator("select[name^=met-]").all():
            select.select_option("yes")
        page.get_by_test_id("save-scores").click()
        expect(page.get_by_role("alert").filter(has_text="score(s) saved")).to_be_visible()
    shot(page, 8, "scored")
    page.get_by_label("About").select_option(index=1)  # the first indicator of the group on screen
    page.get_by_label("Question").fill("Please send copies of the press articles you counted.")
    page.get_by_label("Answer due by").fill((date.today() + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_text("The question has been sent to the organisation.")).to_be_visible()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=ORGANISATION, exact=False).click()
    expect(page.get_by_test_id("state")).to_have_text("Clarification requested")
    shot(page, 9, "question-asked")

    # 6. The manager answers the question on the case page.
    log_in(page, NEWCOMER, PASSWORD)
    page.get_by_test_id("applications").get_by_role("link", name="Open").click()
    page.get_by_label("Your answer").fill("Three articles, attached to B6.1: two in Politika, one in Danas.")
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_test_id("state")).to_have_text("In assessment")
    expect(page.get_by_test_id("clarifications")).to_contain_text("two in Politika")
    shot(page, 10, "question-answered")

    # 7. The assessor completes and recommends; the office checks quality.
    log_in(page, "assessor.rs@demo.test")
    page.get_by_test_id("assigned-cases").locator("li", has_text=ORGANISATION).get_by_role("link", name="Open").click()
    page.get_by_test_id("complete-link").click()
    expect(page.get_by_test_id("result")).to_contain_text("Passes the level's rule")
    page.get_by_label("Date of the interview or site visit").fill(date.today().isoformat())
    page.get_by_label("Summary").fill("A young, well-run cluster management; benchmarked on every indicator.")
    page.locator("textarea[name^=rec-]").first.fill("Publish the members' survey results.")
    page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("state")).to_have_text("Assessed")
    shot(page, 11, "assessed")
    log_in(page, "office@demo.test")
    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_test_id("to-check").get_by_role("link", name=ORGANISATION).click()
    page.get_by_role("button", name="Start the quality check").click()
    page.get_by_test_id("to-committee").click()
    expect(page.get_by_test_id("state")).to_have_text("Awaiting decision")
    shot(page, 12, "quality-checked")

    # 8. The board awards at a meeting: a rapporteur proposes, a second member approves.
    log_in(page, "committee@demo.test")
    row = page.get_by_test_id("decision-queue").locator("tr", has_text=ORGANISATION)
    expect(row).to_contain_text("passes")
    shot(page, 13, "committee-deciding")
    board_awards(page, application, log_in)
    log_in(page, "committee@demo.test")
    expect(page.get_by_test_id("recent-decisions")).to_contain_text(f"{ORGANISATION} · Bronze · Awarded")
    label = Label.objects.get(application=application)
    assert label.level == "bronze"

    # 9. The manager downloads the certificate (the worker's, in CI: it may still be in preparation).
    log_in(page, NEWCOMER, PASSWORD)
    link = page.get_by_test_id(f"certificate-{label.code}")
    shot(page, 14, "manager-sees-label")
    with page.expect_download(timeout=CERTIFICATE_WAIT * 1000) as download:
        link.click()
        if page.get_by_test_id("certificate-pending").count():
            shot(page, 15, "certificate-being-prepared")
    pdf = ARTIFACTS.parent / "full-journey-certificate.pdf"
    download.value.save_as(str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    label.refresh_from_db()
    assert label.certificate
    payloads = qr_payloads(pdf, tmp_path)
    verification = f"/verify/{label.code}/"
    if payloads is not None:
        assert payloads == [f"{django_settings.SITE_URL}{verification}"]
        verification = urlsplit(payloads[0]).path

    # 10. A visitor, in a browser of their own, opens the QR code's address.
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        stranger = visitor.new_page()
        stranger.goto(verification)
        expect(stranger.get_by_test_id("state")).to_have_attribute("data-state", "valid")
        expect(stranger.get_by_test_id("state")).to_have_text("Valid label")
        expect(stranger.get_by_test_id("organisation")).to_have_text(ORGANISATION)
        shot(stranger, 16, "visitor-verifies")
    finally:
        visitor.close()

    # 11. The partner counts it on the expiry dashboard and finds it in the list.
    log_in(page, "partner@demo.test")
    assert holding_count(page, wanted=holding_before + 1) == holding_before + 1
    shot(page, 17, "partner-dashboard")
    page.get_by_test_id("figure-holding").click()
    expect(page.get_by_test_id("rows").get_by_role("link", name=ORGANISATION, exact=True)).to_have_count(1)
    shot(page, 18, "partner-holding-list")
    print(f"full journey: {time.monotonic() - started:.1f} s, worker: {REAL_WORKER}")
