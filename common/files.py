"""Private files (evidence, certificates, reports) and upload checks.

Private files have no URL: only permission-checked views stream them, as
attachments. They go through Django's storage API, to the backend that
``STORAGES["private"]`` names: by default a folder, ``MEDIA_ROOT/private``
(``LocalPrivateStorage``); with ``PRIVATE_FILES_S3_BUCKET`` set, an
S3-compatible object store (django-storages), which web and worker processes
on several machines share. Uploads are judged by their content, not their
name: a renamed SVG is still an SVG.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from typing import IO, cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# An office document unpacks to about its own size (its images do not
# compress); far more than that is a zip bomb waiting for whoever opens it.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ARCHIVE_ENTRIES = 5000
# What Pillow and pypdf raise on a file that does not hold together.
PARSER_ERRORS = (OSError, SyntaxError, ValueError, KeyError, IndexError, TypeError)
# Path separators, control characters and bidirectional overrides (which make
# "report\u202efdp.exe" look like "reportexe.pdf") have no place in a file name.
FORBIDDEN_NAME_CHARACTERS = frozenset(
    ["/", "\\"]
    + [chr(c) for c in range(32)]
    + [chr(127)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)


class LocalPrivateStorage(FileSystemStorage):
    """The embedded default's private files: a folder under ``MEDIA_ROOT``, without URLs."""

    @cached_property
    def base_location(self) -> str:
        # Read at use, not import, so a changed MEDIA_ROOT (tests) is followed.
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name: str | None) -> str:
        raise ValueError("private files have no URL; serve them through a permission-checked view")


class PrivateStorage(LazyObject):
    """The configured private store (``STORAGES["private"]``), looked up at first use.

    Every private ``FileField`` names this one class, so the migrations do not
    depend on the backend a deployment chooses; it behaves as that backend.
    """

    def _setup(self) -> None:
        self._wrapped = storages["private"]

    def deconstruct(self) -> tuple[str, tuple[()], dict[str, object]]:
        return ("common.files.PrivateStorage", (), {})


# Typed as what it behaves as: any code that takes a storage takes it.
private_storage = cast(Storage, PrivateStorage())


@receiver(setting_changed)
def _private_storage_follow_settings(*, setting: str, **kwargs: object) -> None:
    # Django's storage handler forgets its backends when STORAGES changes (tests); follow it.
    if setting == "STORAGES":
        private_storage.__dict__["_wrapped"] = empty


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str


KINDS = {
    "pdf": FileKind("pdf", "application/pdf", "PDF"),
    "png": FileKind("png", "image/png", "PNG"),
    "jpg": FileKind("jpg", "image/jpeg", "JPEG"),
    "docx": FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xlsx": FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "odt": FileKind("odt", "application/vnd.oasis.opendocument.text", "ODT"),
    "ods": FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS"),
}
EXTENSIONS = {
    "pdf": "pdf",
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
    "docx": "docx",
    "xlsx": "xlsx",
    "odt": "odt",
    "ods": "ods",
}
ALLOWED_TEXT = "PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS"


class UploadRejected(Exception):
    """The upload is refused; the message says why, in words for the uploader."""


def sniff(head: bytes, stream: IO[bytes]) -> str | None:
    """The kind a file's content shows, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(stream)
    return None


def _sniff_zip(stream: IO[bytes]) -> str | None:
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # Read a few bytes only: a crafted archive can inflate to gigabytes.
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return {KINDS["odt"].content_type: "odt", KINDS["ods"].content_type: "ods"}.get(mimetype)
            if "[Content_Types].xml" in names:
                if any(name.startswith("word/") for name in names):
                    return "docx"
                if any(name.startswith("xl/") for name in names):
                    return "xlsx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        stream.seek(0)
    return None


def check_upload(uploaded: IO[bytes], name: str, size: int) -> tuple[FileKind, str]:
    """Check an upload against the allowed kinds; return its kind and SHA-256.

    Raises ``UploadRejected`` with the reason: empty, too large, a kind not
    allowed, or content that does not match the file's extension.
    """
    if size == 0:
        raise UploadRejected(_("The file %(name)s is empty.") % {"name": name})
    if size > MAX_UPLOAD_BYTES:
        raise UploadRejected(
            _("The file %(name)s is %(size).1f MB; the limit is 10 MB.") % {"name": name, "size": size / 1024 / 1024}
        )
    if FORBIDDEN_NAME_CHARACTERS.intersection(name) or name.strip(". ") == "":
        raise UploadRejected(
            _("The file name %(name)s contains characters that are not allowed; rename the file and try again.")
            % {"name": ascii(name)}
        )
    extension = EXTENSIONS.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if extension is None:
        raise UploadRejected(
            _("%(name)s is not an accepted kind of file. Accepted: %(kinds)s.") % {"name": name, "kinds": ALLOWED_TEXT}
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    detected = sniff(head, uploaded)
    if detected != extension:
        found = KINDS[detected].label if detected else _("something else")
        raise UploadRejected(
            _("%(name)s is named as %(expected)s but its content is %(found)s. Accepted: %(kinds)s.")
            % {"name": name, "expected": KINDS[extension].label, "found": found, "kinds": ALLOWED_TEXT}
        )
    problem = _hidden_content(uploaded, extension) or _broken_structure(uploaded, extension)
    if problem:
        raise UploadRejected(problem % {"name": name, "kind": KINDS[extension].label})
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in iter(lambda: uploaded.read(1024 * 1024), b""):
        digest.update(chunk)
    uploaded.seek(0)
    return KINDS[extension], digest.hexdigest()


def _hidden_content(stream: IO[bytes], kind: str) -> str | None:
    """Why a file whose first bytes match its kind is still refused, or None.

    A polyglot (a PDF or an image with an archive appended, an archive whose
    first entry reads as a PDF) is two files at once: a viewer opens one, an
    unpacker the other. An archive declaring far more unpacked bytes than a
    document needs is a zip bomb. Only the archive's directory is read: nothing
    is inflated.
    """
    try:
        if kind in ("pdf", "png", "jpg"):
            stream.seek(0)
            if zipfile.is_zipfile(stream):
                return _("%(name)s is a %(kind)s with an archive hidden inside; save it again as a plain %(kind)s.")
            return None
        stream.seek(0)
        if b"%PDF-" in stream.read(1024):
            return _("%(name)s is a %(kind)s that also reads as a PDF; save it again as a plain %(kind)s.")
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ARCHIVE_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
                return _("%(name)s would unpack to more than 100 MB: it is refused as a possible zip bomb.")
    except (zipfile.BadZipFile, OSError):
        return _("%(name)s is not a readable %(kind)s file.")
    finally:
        stream.seek(0)
    return None


def _broken_structure(stream: IO[bytes], kind: str) -> str | None:
    """Why a file whose first bytes match its kind does not hold together, or None.

    The first bytes are easy to fake (a JPEG header before an SVG with a
    script): an image must decode to its last pixel, a PDF must parse to its
    pages. Office files are archives, checked by ``_hidden_content``.
    """
    if kind not in ("png", "jpg", "pdf"):
        return None
    try:
        return _image_problem(stream, kind) if kind in ("png", "jpg") else _pdf_problem(stream)
    except (*PARSER_ERRORS, Image.DecompressionBombError, PyPdfError):
        # Whatever a parser trips over, the file is not what its name says.
        return _("%(name)s is not a readable %(kind)s file.")
    finally:
        stream.seek(0)


def _image_problem(stream: IO[bytes], kind: str) -> str | None:
    stream.seek(0)
    with Image.open(stream) as image:
        image.verify()  # the structure and checksums
    stream.seek(0)
    with Image.open(stream) as image:
        image.load()  # every pixel: verify() does not decode the data
        format_ = image.format
    return None if format_ == {"png": "PNG", "jpg": "JPEG"}[kind] else _("%(name)s is not a readable %(kind)s file.")


def _pdf_problem(stream: IO[bytes]) -> str | None:
    stream.seek(0)
    reader = PdfReader(stream)
    if reader.is_encrypted:
        return _("%(name)s is a password-protected PDF; save it again without a password.")
    if len(reader.pages) == 0:
        return _("%(name)s is not a readable %(kind)s file.")
    return None
