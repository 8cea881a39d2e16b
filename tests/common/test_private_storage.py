"""Private files go through the storage API to the configured backend: a folder, or an S3-compatible bucket."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from django.conf import settings
from pytest_django import Settings
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]

from assessments.models import Evidence
from common.files import LocalPrivateStorage, PrivateStorage, private_storage
from labels.models import Label

lazy = cast(PrivateStorage, private_storage)

ROOT = Path(__file__).resolve().parents[2]


def test_every_private_file_field_uses_the_one_configured_store() -> None:
    assert Evidence._meta.get_field("file").storage is private_storage
    assert Label._meta.get_field("certificate").storage is private_storage
    assert lazy.deconstruct() == ("common.files.PrivateStorage", (), {})


def test_by_default_private_files_are_a_folder_under_media_root(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path

    name = private_storage.save("evidence/a.pdf", io.BytesIO(b"%PDF-1.4"))

    assert isinstance(lazy._wrapped, LocalPrivateStorage)
    assert (tmp_path / "private" / name).read_bytes() == b"%PDF-1.4"
    with pytest.raises(ValueError, match="no URL"):
        private_storage.url(name)


def test_with_a_bucket_private_files_go_to_the_object_store(settings: Settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "portal-files", "endpoint_url": "http://127.0.0.1:9", "location": "private"},
        },
    }

    assert isinstance(private_storage, PrivateStorage)
    assert lazy.bucket_name == "portal-files"
    assert isinstance(lazy._wrapped, S3Storage)


def test_the_environment_chooses_the_bucket() -> None:
    """PRIVATE_FILES_S3_* in the environment (the production shape) configure the S3 backend."""
    env = {k: v for k, v in os.environ.items() if k not in settings.ENV_VARIABLES_READ}
    env.update(
        PRIVATE_FILES_S3_BUCKET="escaportal-files",
        PRIVATE_FILES_S3_ENDPOINT_URL="https://objects.example.org",
        PRIVATE_FILES_S3_REGION="eu-central-1",
    )
    probe = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['private']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    private = json.loads(result.stdout)

    assert private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (private["OPTIONS"]["bucket_name"], private["OPTIONS"]["endpoint_url"]) == (
        "escaportal-files",
        "https://objects.example.org",
    )
    assert (private["OPTIONS"]["default_acl"], private["OPTIONS"]["file_overwrite"]) == ("private", False)
