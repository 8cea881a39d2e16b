"""The scheme's numbers, per level, read from one place: ``settings.LABEL_SCHEME``.

DOMAIN.md asks that months of validity, the renewal window, the renewal
extension, reminder offsets and the Gold pass mark live in one configuration
per level and are never repeated as literals. Every rule reads them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common.enums import Level

REQUIRED_KEYS = {
    "months_valid",
    "renewal_window_months",
    "renewal_extension_months",
    "expiring_days",
    "reminder_days_before_expiry",
    "reminder_days_before_window_end",
    "pass_mark_percent",
    "assessors",
}


@dataclass(frozen=True)
class LevelRules:
    level: Level
    months_valid: int
    renewal_window_months: int
    renewal_extension_months: int
    expiring_days: int
    reminder_days_before_expiry: tuple[int, ...]
    reminder_days_before_window_end: tuple[int, ...]
    pass_mark_percent: Decimal | None
    assessors: int
    requires_bronze_months: tuple[int, int] | None = None


def rules_for(level: Level | str) -> LevelRules:
    level = Level(level)
    config: dict[str, Any] = settings.LABEL_SCHEME.get(level.value, {})
    missing = REQUIRED_KEYS - config.keys()
    if missing:
        raise ImproperlyConfigured(f"LABEL_SCHEME[{level.value!r}] lacks {sorted(missing)}.")
    pass_mark = config["pass_mark_percent"]
    return LevelRules(
        level=level,
        months_valid=int(config["months_valid"]),
        renewal_window_months=int(config["renewal_window_months"]),
        renewal_extension_months=int(config["renewal_extension_months"]),
        expiring_days=int(config["expiring_days"]),
        reminder_days_before_expiry=tuple(
            sorted((int(d) for d in config["reminder_days_before_expiry"]), reverse=True)
        ),
        reminder_days_before_window_end=tuple(int(d) for d in config["reminder_days_before_window_end"]),
        pass_mark_percent=None if pass_mark is None else Decimal(str(pass_mark)),
        assessors=int(config["assessors"]),
        requires_bronze_months=tuple(config["requires_bronze_months"])
        if config.get("requires_bronze_months")
        else None,
    )


def all_rules() -> list[LevelRules]:
    return [rules_for(level) for level in Level]


@dataclass(frozen=True)
class EligibilityRules:
    min_management_fte: Decimal
    min_members: int
    min_member_types: int


def eligibility_rules() -> EligibilityRules:
    config: dict[str, Any] = settings.LABEL_ELIGIBILITY
    return EligibilityRules(
        min_management_fte=Decimal(str(config["min_management_fte"])),
        min_members=int(config["min_members"]),
        min_member_types=int(config["min_member_types"]),
    )


@dataclass(frozen=True)
class CaseDeadlines:
    """How long each step of a case may take (``settings.CASE_DEADLINES``)."""

    declare_working_days: int
    score_days: int
    answer_days: int
    quality_check_days: int
    decide_days: int
    draft_idle_remind_days: int
    draft_idle_archive_days: int


def case_deadlines() -> CaseDeadlines:
    config: dict[str, Any] = settings.CASE_DEADLINES
    names = CaseDeadlines.__dataclass_fields__.keys()
    missing = set(names) - config.keys()
    if missing:
        raise ImproperlyConfigured(f"CASE_DEADLINES lacks {sorted(missing)}.")
    deadlines = CaseDeadlines(**{name: int(config[name]) for name in names})
    if deadlines.draft_idle_archive_days <= deadlines.draft_idle_remind_days:
        raise ImproperlyConfigured("CASE_DEADLINES: a draft is archived only after its reminder.")
    return deadlines


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days (Monday to Friday) after ``start``."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
