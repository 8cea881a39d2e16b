"""The one PDF pipeline: hash the facts, compare, render, store, delete the old file after commit."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from django.db import transaction
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from common.pdf import PdfDocument, facts_fingerprint, pdf_store, template_fingerprint
from labels.models import Label
from tests.factories import LabelFactory
from tests.files import stored_name

TEMPLATE = "pdf_test/document.html"


class Boom(Exception):
    pass


@pytest.fixture
def template(settings: Settings, tmp_path: Path) -> Path:
    """A template of the test's own, which the test may edit."""
    path = tmp_path / "templates" / TEMPLATE
    path.parent.mkdir(parents=True)
    path.write_text("<p>{{ text }}</p>")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path / "templates", *engine["DIRS"]]}]
    return path


@pytest.fixture
def label(db: None, settings: Settings, tmp_path: Path, template: Path) -> Label:
    settings.MEDIA_ROOT = tmp_path / "media"
    return LabelFactory()


def store(label: Label, text: str, drawn: list[str] | None = None, force: bool = False) -> bool:
    """Store a one-line document in the label's certificate field; ``drawn`` records each drawing."""

    def context() -> dict[str, object]:
        if drawn is not None:
            drawn.append(text)
        return {"text": text}

    document = PdfDocument(
        template=TEMPLATE, facts={"text": text}, context=context, file_name=lambda stamp: f"doc-{stamp[:8]}.pdf"
    )
    return pdf_store(
        instance=label,
        file_field="certificate",
        fingerprint_field="certificate_fingerprint",
        document=document,
        force=force,
    )


def test_same_facts_render_once(label: Label) -> None:
    drawn: list[str] = []

    first = store(label, "Sava", drawn)
    name = label.certificate.name
    again = store(label, "Sava", drawn)
    label.refresh_from_db()

    assert (first, again, drawn) == (True, False, ["Sava"])
    assert label.certificate.name == name
    assert label.certificate.read()[:5] == b"%PDF-"


def test_changed_facts_render_again_and_delete_the_old_file_after_commit(
    label: Label,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    store(label, "Sava")
    old = stored_name(label.certificate)
    storage = label.certificate.storage

    with django_capture_on_commit_callbacks() as callbacks:
        rendered = store(label, "Sava Digital")
    kept_until_commit = storage.exists(old)
    for callback in callbacks:
        callback()
    label.refresh_from_db()

    assert (rendered, kept_until_commit, len(callbacks)) == (True, True, 1)
    assert label.certificate.name != old
    assert (storage.exists(old), storage.exists(stored_name(label.certificate))) == (False, True)
    assert label.certificate_fingerprint == facts_fingerprint({"text": "Sava Digital"}, template=TEMPLATE)


def test_rollback_keeps_the_old_file(
    label: Label,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    store(label, "Sava")
    old, stamp = stored_name(label.certificate), label.certificate_fingerprint
    storage = label.certificate.storage

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        store(label, "Sava Digital")
        raise Boom
    label.refresh_from_db()

    assert callbacks == []
    assert (label.certificate.name, label.certificate_fingerprint) == (old, stamp)
    assert storage.exists(old)


def test_missing_file_is_rendered_again(label: Label) -> None:
    drawn: list[str] = []
    store(label, "Sava", drawn)
    label.certificate.storage.delete(stored_name(label.certificate))

    rendered = store(label, "Sava", drawn)

    assert (rendered, drawn) == (True, ["Sava", "Sava"])
    assert label.certificate.storage.exists(stored_name(label.certificate))


def test_forced_rendering_of_the_same_facts_keeps_the_new_file(
    label: Label,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    store(label, "Sava")
    old = stored_name(label.certificate)
    storage = label.certificate.storage

    with django_capture_on_commit_callbacks(execute=True):
        rendered = store(label, "Sava", force=True)

    assert rendered is True
    assert label.certificate.name != old
    assert (storage.exists(old), storage.exists(stored_name(label.certificate))) == (False, True)


def test_edited_template_renders_again(label: Label, template: Path) -> None:
    drawn: list[str] = []
    store(label, "Sava", drawn)
    before = template_fingerprint(TEMPLATE)

    template.write_text("<h1>{{ text }}</h1>")
    rendered = store(label, "Sava", drawn)

    assert template_fingerprint(TEMPLATE) != before
    assert (rendered, drawn) == (True, ["Sava", "Sava"])


def test_facts_fingerprint_is_the_sorted_json_hash_with_the_template(template: Path) -> None:
    """The formula of the fingerprints stored before the pipeline: they stay valid."""
    expected = {"a": 1, "b": [1, "x"], "template": hashlib.sha256(template.read_bytes()).hexdigest()[:16]}

    stamp = facts_fingerprint({"b": (1, "x"), "a": 1}, template=TEMPLATE)

    assert stamp == hashlib.sha256(json.dumps(expected, sort_keys=True).encode()).hexdigest()
    assert stamp == facts_fingerprint({"a": 1, "b": [1, "x"]}, template=TEMPLATE)


def test_facts_may_not_hide_the_template(template: Path) -> None:
    with pytest.raises(ValueError):
        facts_fingerprint({"template": "whatever"}, template=TEMPLATE)
