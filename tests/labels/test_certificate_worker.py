"""Issue 6's promise end to end: an award renders the certificate in the real
Celery worker (CI), and the QR code on it reads back to the verification page,
which shows the label as valid."""

from __future__ import annotations

import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

import escaportal.settings as configured
from common.enums import Level
from labels.certificates.rendering import certificate_queue
from labels.enums import LabelSource
from labels.services import label_create
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def qr_payloads(pdf: Path, workdir: Path) -> list[str]:
    """Rasterise the PDF (poppler's pdftoppm) and read every QR code on it (zxing-cpp)."""
    import zxingcpp
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (Debian's poppler-utils) is needed to read the certificate back", pytrace=False)
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", str(pdf), str(workdir / "page")], check=True)
    return [result.text for result in zxingcpp.read_barcodes(Image.open(workdir / "page.png"))]


def test_certificate_rendered_by_the_worker_reads_back_to_a_valid_label(
    client: Client,
    broker_url: str,
    postgres: None,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = configured.MEDIA_ROOT  # the worker is another process: same folder
    label = label_create(
        organisation=OrganisationFactory(name="Worker Gold Cluster", country="RS"),
        level=Level.GOLD,
        assessed_on=timezone.localdate(),
        source=LabelSource.APPLICATION,
        score=Decimal("88.00"),
    )

    certificate_queue(label.pk)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not label.certificate:
        time.sleep(0.5)
        label.refresh_from_db()

    assert label.certificate, "the worker rendered no certificate within 60 s"
    payloads = qr_payloads(Path(label.certificate.path), tmp_path)
    assert payloads == [f"{settings.SITE_URL}/verify/{label.code}/"]
    page = client.get(payloads[0].removeprefix(settings.SITE_URL))
    assert page.context["state"] == "valid"
