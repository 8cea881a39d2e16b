"""PDF rendering with WeasyPrint, and the one pipeline every stored PDF goes through.

A stored document (a certificate, a benchmarking report, an assessment report)
keeps, beside its file, the fingerprint of the facts it shows. Anyone may ask
for it to be rendered again (a task, a redelivery, a bulk job): the pipeline
draws the PDF only when the facts or the template changed, when the file is
gone, or when forced. It stores the new file under a name of its own in the
field's storage (private: no URL, see ``common.files``) and deletes the file it
replaced only once the transaction commits, so a rollback leaves the row
pointing at a file that still exists.

Each app keeps its own facts, context and file names; only the mechanism is here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template, render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict[str, Any], *, language: str | None = None) -> bytes:
    """Render a Django template to PDF bytes. It may read static files and ``data:`` URLs only."""
    # Imported here on purpose, not to break a cycle: loading WeasyPrint (pango,
    # cairo, fonts) costs ~0.3 s, which every web process and management command
    # would pay at start-up although only the workers draw PDFs.
    from weasyprint import HTML

    from common.pdf_fetcher import PortalURLFetcher, static_base_url

    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=static_base_url(), url_fetcher=PortalURLFetcher()).write_pdf()


def template_fingerprint(template: str) -> str:
    """A hash of the template's source: changing it outdates every PDF drawn from it.

    Only the named file counts, not the templates it extends or includes.
    """
    # The portal renders with Django's engine only, whose templates know their origin.
    path = cast(DjangoTemplate, get_template(template)).origin.name
    status = os.stat(path)
    return _source_fingerprint(path, status.st_ino, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=32)
def _source_fingerprint(path: str, inode: int, modified_ns: int, size: int) -> str:
    # Cached per process for bulk renderings (one file read per template, not per
    # document); keyed by the file's identity, time and size, so an edited
    # template is read again without a restart.
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def facts_fingerprint(facts: Mapping[str, Any], *, template: str) -> str:
    """A stable hash of what a document shows, the template's fingerprint included.

    The facts must be JSON: keys are sorted, so their order does not matter. The
    template's fingerprint joins them under the key ``template``, as in the
    fingerprints stored before this pipeline, which therefore stay valid.
    """
    if "template" in facts:
        raise ValueError("the key 'template' is reserved for the template's fingerprint")
    stamped = {**facts, "template": template_fingerprint(template)}
    return hashlib.sha256(json.dumps(stamped, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class PdfDocument:
    """One document as it should be today: what it shows and how to draw it.

    ``facts`` are everything the PDF shows (their hash decides whether to draw
    again); ``context`` builds the template's context, called only when drawing;
    ``file_name`` names the new file from the fingerprint (the field's
    ``upload_to`` is prefixed); ``language`` is the one the template is rendered
    in (the default language if None).
    """

    template: str
    facts: Mapping[str, Any]
    context: Callable[[], dict[str, Any]]
    file_name: Callable[[str], str]
    language: str | None = None

    @cached_property
    def fingerprint(self) -> str:
        return facts_fingerprint(self.facts, template=self.template)


def pdf_missing(file: FieldFile) -> bool:
    """No file yet, or its file is gone from the storage."""
    return not file.name or not file.storage.exists(file.name)


def pdf_current(instance: models.Model, *, file_field: str, fingerprint_field: str, fingerprint: str) -> bool:
    """The stored file shows exactly the facts of ``fingerprint`` and is still there."""
    return getattr(instance, fingerprint_field) == fingerprint and not pdf_missing(getattr(instance, file_field))


def pdf_store(
    *,
    instance: models.Model,
    file_field: str,
    fingerprint_field: str,
    document: PdfDocument,
    force: bool = False,
    fields: Mapping[str, Any] | None = None,
) -> bool:
    """Draw ``document`` into ``instance``'s file field unless the stored file is current.

    Call it inside the transaction that locked the row (``select_for_update``).
    Returns whether it drew. ``fields`` are further fields of the instance set
    and saved with a new file (when it was rendered, say).

    Side effects: a new file in the field's storage; the row's file, fingerprint
    and ``fields`` saved; the replaced file deleted after commit (never on rollback).
    """
    stamp = document.fingerprint
    if not force and pdf_current(
        instance, file_field=file_field, fingerprint_field=fingerprint_field, fingerprint=stamp
    ):
        return False
    pdf = render_pdf(document.template, document.context(), language=document.language)
    file: FieldFile = getattr(instance, file_field)
    old = file.name if file else ""
    file.save(document.file_name(stamp), ContentFile(pdf), save=False)
    setattr(instance, fingerprint_field, stamp)
    for name, value in (fields or {}).items():
        setattr(instance, name, value)
    instance.save(update_fields=[file_field, fingerprint_field, *(fields or {})])
    if old and old != file.name:
        storage = file.storage
        transaction.on_commit(lambda: storage.delete(old))
    return True
