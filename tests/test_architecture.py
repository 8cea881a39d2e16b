"""The apps import one way:
escaportal -> privacy -> labels -> billing -> assessments -> clusters -> accounts -> common."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.contrib import admin

ROOT = Path(__file__).resolve().parents[1]
PROJECT_APPS = {"common", "accounts", "clusters", "assessments", "billing", "labels", "privacy"}


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")

    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_model_has_an_admin() -> None:
    models = [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]

    assert [m.__name__ for m in models if not admin.site.is_registered(m)] == []


# Reference lists too short to need filters: a dozen sectors, a few partners.
UNFILTERED = {"sector", "nationalpartner"}


def test_every_model_admin_can_search_and_filter() -> None:
    registry = [(m, a) for m, a in admin.site._registry.items() if m._meta.app_label in PROJECT_APPS]

    assert [m.__name__ for m, a in registry if not a.search_fields] == []
    assert [m.__name__ for m, a in registry if not a.list_filter and m._meta.model_name not in UNFILTERED] == []
