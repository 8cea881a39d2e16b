"""The name of a stored file, which Django's types leave optional."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile


def stored_name(file: FieldFile) -> str:
    """The name of the file the field holds (a test that reads it expects one)."""
    assert file.name is not None, "the field holds no file"
    return file.name
