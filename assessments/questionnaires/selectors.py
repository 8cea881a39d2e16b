"""Reads of questionnaires that several places share: which version a level answers, a version's tree,
the shipped catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db.models import Prefetch

from assessments.enums import VersionStatus
from assessments.models import Indicator, QuestionnaireVersion, Section
from common.enums import Level

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogue"


def published_version(level: Level | str) -> QuestionnaireVersion | None:
    """The version new applications of that level answer, if one is published."""
    return (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .filter(questionnaire__level=Level(level), status=VersionStatus.PUBLISHED)
        .first()
    )


def latest_version(level: Level | str) -> QuestionnaireVersion | None:
    return (
        QuestionnaireVersion.objects.select_related("questionnaire")
        .filter(questionnaire__level=Level(level))
        .order_by("-number")
        .first()
    )


def version_for(level: Level | str, number: int | None = None) -> QuestionnaireVersion | None:
    """Version ``number`` of a level; without a number the published one, else the latest."""
    if number is not None:
        return (
            QuestionnaireVersion.objects.select_related("questionnaire")
            .filter(questionnaire__level=Level(level), number=number)
            .first()
        )
    return published_version(level) or latest_version(level)


def version_tree(version: QuestionnaireVersion) -> list[Section]:
    """The sections of a version in order, each with its indicators prefetched in order: two queries."""
    return list(
        Section.objects.filter(version=version)
        .order_by("position", "code")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.order_by("position", "code")))
    )


def catalogue_data(level: Level | str) -> dict[str, Any]:
    """The shipped (illustrative) catalogue of a level, as an import document."""
    path = CATALOGUE_DIR / f"{Level(level).value}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
