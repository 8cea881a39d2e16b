"""Issue 14: certificates of imported and seeded labels appear, in a real browser.

The office imports a CSV on the upload page; the job page follows the import,
then the one bulk certificate job of its new labels to the end; the manager of
an imported organisation downloads its certificate at once. A label written
the way the demo writes its history (``labels_import``, no job) has no
certificate yet: its manager's download shows the waiting page, which queues
the rendering and reloads itself into the PDF.

Tasks run in the test's process (``tasks_in_process``), so the certificate job
is done by the time the job page shows: the page is read for its finished
progress bar and summary. Files go to a temporary folder (the e2e conftest's
``media_root``). Screenshots: ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.enums import StaffRole
from common.services import sectors_ensure
from labels.imports.service import labels_import
from labels.models import CertificateJob, ImportJob, Label
from tests.e2e.conftest import Screenshot
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, RoleGrantFactory
from tests.files import stored_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "organisation,country,city,website,sector,level,assessed_on,valid_until,score,label_code"
ORGANISATION = "Sava Valley Agrifood Cluster"
ROWS = (
    f"{ORGANISATION},RS,Belgrade,https://sava-agrifood.example,Food industry,bronze,2025-09-15,,,",
    "Tisza Digital Alliance,HU,Szeged,https://tisza.example,ICT,gold,2025-06-02,,91,",
)


def log_in(page: Page, email: str) -> None:
    """A fresh session (the previous person closed the browser), then the login form."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_office_import_renders_certificates_the_manager_downloads(
    page: Page, screenshot: Screenshot, tmp_path: Path
) -> None:
    sectors_ensure()  # transactional tests before this one flushed the migrated rows
    office = RoleGrantFactory(role=StaffRole.LABEL_OFFICE).user
    manager = MembershipFactory(organisation=OrganisationFactory(name=ORGANISATION, country="RS")).user
    csv = tmp_path / "legacy-labels.csv"
    csv.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")

    log_in(page, office.email)
    page.goto("/labels/import/")
    page.get_by_label("Label file (CSV)").set_input_files(str(csv))
    screenshot(page, "01-upload")
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/labels/import/*/")
    expect(page.get_by_test_id("created")).to_have_text("2")
    expect(page.get_by_test_id("import-certificates")).to_be_visible()
    progress = page.get_by_test_id("job-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(progress.get_by_test_id("job-summary")).to_contain_text("Done: 2 of 2 certificates rendered again")
    screenshot(page, "02-import-and-certificates-done")

    job = ImportJob.objects.get()
    assert list(CertificateJob.objects.values_list("import_job", "state", "total", "rendered")) == [
        (job.pk, "done", 2, 2)
    ]
    label = Label.objects.get(organisation__name=ORGANISATION)
    log_in(page, manager.email)
    page.wait_for_url("**/clusters/my/")
    with page.expect_download() as download:
        page.get_by_test_id(f"certificate-{label.code}").click()
    pdf = tmp_path / "imported.pdf"
    download.value.save_as(str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    screenshot(page, "03-manager-downloaded")


def test_label_without_a_certificate_downloads_after_the_waiting_page(
    page: Page, screenshot: Screenshot, tmp_path: Path
) -> None:
    sectors_ensure()
    manager = MembershipFactory(organisation=OrganisationFactory(name=ORGANISATION, country="RS")).user
    # As seed_demo writes its history: the import service, no job, no certificate job.
    result = labels_import(content="\n".join([HEADER, ROWS[0]]).encode())
    label = Label.objects.get(organisation__name=ORGANISATION)
    assert (result.created, label.certificate.name) == (1, "")

    log_in(page, manager.email)
    page.wait_for_url("**/clusters/my/")
    with page.expect_download(timeout=30_000) as download:
        page.get_by_test_id(f"certificate-{label.code}").click()
        expect(page.get_by_test_id("certificate-pending")).to_be_visible()
        screenshot(page, "01-being-prepared")
    pdf = tmp_path / "seeded.pdf"
    download.value.save_as(str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    label.refresh_from_db()
    assert label.certificate.storage.exists(stored_name(label.certificate))
