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
    "renewal_opens_months_before",
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
    # A renewal may start this many whole months before the label expires, not earlier.
    renewal_opens_months_before: int
    renewal_extension_months: int
    expiring_days: int
    reminder_days_before_expiry: tuple[int, ...]
    reminder_days_before_window_end: tuple[int, ...]
    pass_mark_percent: Decimal | None
    assessors: int
    requires_bronze_months: tuple[int, int] | None = None
    # Silver: how many improvement areas, and the indicator codes of the baseline minimum requirements.
    improvement_areas: int = 0
    baseline_minimums: tuple[str, ...] = ()


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
        renewal_opens_months_before=int(config["renewal_opens_months_before"]),
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
        improvement_areas=int(config.get("improvement_areas", 0)),
        baseline_minimums=tuple(str(code) for code in config.get("baseline_minimums", ())),
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


# Fewer contributors than this and one of them, subtracting his own answer, reads the other's.
DISCLOSURE_FLOOR = 3


@dataclass(frozen=True)
class DisclosureRules:
    """The benchmarking report's disclosure rule (README "Benchmarking privacy")."""

    min_peers: int
    min_peers_quartiles: int
    money_units: frozenset[str]
    money_step: Decimal
    dominance_percent: Decimal


def disclosure_rules() -> DisclosureRules:
    config: dict[str, Any] = settings.BENCHMARKING_DISCLOSURE
    rules = DisclosureRules(
        min_peers=int(config["min_peers"]),
        min_peers_quartiles=int(config["min_peers_quartiles"]),
        money_units=frozenset(str(unit) for unit in config["money_units"]),
        money_step=Decimal(str(config["money_step"])),
        dominance_percent=Decimal(str(config["dominance_percent"])),
    )
    if rules.min_peers < DISCLOSURE_FLOOR:
        raise ImproperlyConfigured(f"BENCHMARKING_DISCLOSURE: min_peers must be at least {DISCLOSURE_FLOOR}.")
    if rules.min_peers_quartiles < rules.min_peers:
        raise ImproperlyConfigured("BENCHMARKING_DISCLOSURE: min_peers_quartiles must be at least min_peers.")
    if rules.money_step <= 0:
        raise ImproperlyConfigured("BENCHMARKING_DISCLOSURE: money_step must be positive.")
    if not 50 <= rules.dominance_percent <= 100:
        raise ImproperlyConfigured("BENCHMARKING_DISCLOSURE: dominance_percent must lie between 50 and 100.")
    return rules


@dataclass(frozen=True)
class BoardRules:
    quorum: int


def board_rules() -> BoardRules:
    """The board's meeting rules: the quorum of members present (at least two, for
    four eyes: a rapporteur proposes, another member approves)."""
    config: dict[str, Any] = settings.LABEL_BOARD
    quorum = int(config["quorum"])
    if quorum < 2:
        raise ImproperlyConfigured("LABEL_BOARD['quorum'] must be at least 2: one member proposes, another approves.")
    return BoardRules(quorum=quorum)


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
