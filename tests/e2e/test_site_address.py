"""`make run PORT=<other>`: QR codes, e-mail links and credentials name the port the portal runs on.

Runs the README's own command in a process group of its own, on a fresh
SQLite database and file folder (the embedded default), then reads the QR code
back from the demo manager's certificate and opens it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from labels.demo import DEMO_PASSWORD
from tests.conftest import missing
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_full_journey import qr_payloads
from tests.polling import wait_for

pytestmark = pytest.mark.browser

REPOSITORY = Path(__file__).resolve().parents[2]
# What points the portal at real services; the embedded default has none of them.
SERVICE_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "EMAIL_URL", "SITE_URL")
# migrate and seed_demo on a fresh SQLite file, and the certificates the demo renders.
START_SECONDS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def portal_on_another_port(tmp_path: Path) -> Iterator[str]:
    """The portal as `make run PORT=<free port>` starts it; its base address."""
    port = free_port()
    environment = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    environment |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
    }
    log = (tmp_path / "make-run.log").open("wb")
    process = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=REPOSITORY,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one group: make, the server and whatever it started
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: answers(f"{base}/healthz/") or process.poll() is not None,
            START_SECONDS,
            f"make run PORT={port} to serve",
        )
        assert process.poll() is None, (tmp_path / "make-run.log").read_text()[-4000:]
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_certificate_qr_code_opens_its_verification_page_on_another_port(
    browser: Browser, portal_on_another_port: str, tmp_path: Path
) -> None:
    base = portal_on_another_port
    context = browser.new_context(base_url=base, locale="en-GB", accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill("manager@demo.test")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/clusters/my/")
        link = page.locator("[data-testid^='certificate-']").first
        code = (link.get_attribute("data-testid") or "").removeprefix("certificate-")

        with page.expect_download() as download:
            link.click()
        pdf = tmp_path / "certificate.pdf"
        download.value.save_as(str(pdf))
        payloads = qr_payloads(pdf, tmp_path)
        if payloads is None:
            missing("pdftoppm (poppler-utils) is needed to read the QR code back")

        assert payloads == [f"{base}/verify/{code}/"]
        visitor = browser.new_page()
        visitor.goto(payloads[0])
        assert visitor.get_by_test_id("state").get_attribute("data-state") in {"valid", "expiring", "renewable"}
        assert code in visitor.locator("code").all_inner_texts()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        visitor.screenshot(path=str(ARTIFACTS / "site-address-verified.png"), full_page=True)
        visitor.close()
    finally:
        context.close()
