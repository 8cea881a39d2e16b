"""The name of a stored file, which Django's types leave optional."""

from __future__ import annotations

import io

from django.db.models.fields.files import FieldFile
from PIL import Image


def stored_name(file: FieldFile) -> str:
    """The name of the file the field holds (a test that reads it expects one)."""
    assert file.name is not None, "the field holds no file"
    return file.name


def _drawn(file_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=file_format)
    return buffer.getvalue()


# Uploads are parsed whole (common.files): a PDF must parse to a page, an image
# must decode. These are the smallest real ones.
PDF = _drawn("PDF")
PNG = _drawn("PNG")
JPEG = _drawn("JPEG")
