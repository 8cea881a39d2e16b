"""The result of an assessment, by the rules of DOMAIN.md and the per-level configuration.

Gold: at least the pass mark (80 %) of the maximum score, and every minimum
requirement met. Silver: every improvement area validated and every minimum
requirement met. Bronze: the benchmarking completed (every indicator scored)
and the organisation eligible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from assessments.answers import is_answered
from assessments.enums import ThresholdKind
from assessments.models import Indicator, Score
from common.enums import Level
from common.scheme import rules_for


@dataclass
class Result:
    passed: bool
    percent: Decimal | None = None
    notes: list[str] = field(default_factory=list)
    # Codes of the indicators without an agreed verdict: the case cannot be completed yet.
    unscored: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """An expert's verdict on one indicator, as a scoring form gives it to the service."""

    indicator: Indicator
    met: bool | None
    comment: str = ""
    recommendation: str = ""


def threshold_met(indicator: Indicator, value: Any, has_evidence: bool = False) -> bool | None:
    """Whether an answer meets a Gold indicator's threshold; None when there is no threshold.

    A suggestion for the assessor, who decides: evidence may not support the answer.
    """
    rule = indicator.threshold or {}
    kind = rule.get("kind")
    if not kind:
        return None
    if not is_answered(value) and kind != ThresholdKind.ANSWERED:
        return False
    if kind == ThresholdKind.AT_LEAST:
        return Decimal(str(value)) >= Decimal(str(rule["value"]))
    if kind == ThresholdKind.AT_MOST:
        return Decimal(str(value)) <= Decimal(str(rule["value"]))
    if kind == ThresholdKind.YES:
        return value is True
    if kind == ThresholdKind.CHOICE_IN:
        chosen = value if isinstance(value, list) else [value]
        return any(str(v) in [str(c) for c in rule.get("choices", [])] for v in chosen)
    if kind == ThresholdKind.ANSWERED:
        return (is_answered(value) or has_evidence) and (has_evidence or not indicator.evidence_required)
    return None


def compute_result(
    *, level: Level | str, indicators: list[Indicator], agreed: dict[int, Score], eligible: bool
) -> Result:
    level = Level(level)
    unscored = [i.code for i in indicators if i.pk not in agreed or agreed[i.pk].met is None]
    if unscored:
        return Result(False, None, [_("Not scored yet: %(codes)s.") % {"codes": ", ".join(unscored)}], unscored)
    missed_minimums = [i.code for i in indicators if i.minimum_requirement and not agreed[i.pk].met]
    if level == Level.GOLD:
        return _gold(indicators, agreed, missed_minimums)
    if level == Level.SILVER:
        return _silver(indicators, agreed, missed_minimums)
    notes = [_("Benchmarking completed.")]
    if not eligible:
        notes.append(_("The organisation does not meet the eligibility criteria."))
    return Result(eligible, None, notes)


def _gold(indicators: list[Indicator], agreed: dict[int, Score], missed_minimums: list[str]) -> Result:
    maximum = sum(i.max_points or 0 for i in indicators)
    earned = sum((i.max_points or 0) for i in indicators if agreed[i.pk].met)
    pass_mark = rules_for(Level.GOLD).pass_mark_percent or Decimal(0)
    # The pass mark is compared on whole points (earned * 100 >= mark * maximum),
    # never on the rounded percentage: 79.995 % shows as 80.00 % but fails.
    passes_mark = Decimal(earned) * 100 >= pass_mark * Decimal(maximum)
    percent = (Decimal(earned) * 100 / Decimal(maximum)).quantize(Decimal("0.01")) if maximum else Decimal(0)
    notes = [
        _("%(earned)d of %(maximum)d points: %(percent)s %% (pass mark %(mark)s %%).")
        % {"earned": earned, "maximum": maximum, "percent": percent, "mark": pass_mark}
    ]
    if missed_minimums:
        notes.append(_("Minimum requirements not met: %(codes)s.") % {"codes": ", ".join(missed_minimums)})
    return Result(passes_mark and not missed_minimums, percent, notes)


def _silver(indicators: list[Indicator], agreed: dict[int, Score], missed_minimums: list[str]) -> Result:
    areas: dict[str, bool] = {}
    for indicator in indicators:
        if not indicator.minimum_requirement:
            code = indicator.section.code
            areas[code] = areas.get(code, True) and bool(agreed[indicator.pk].met)
    not_validated = [code for code, ok in areas.items() if not ok]
    notes = []
    if not_validated:
        notes.append(_("Improvement areas not validated: %(codes)s.") % {"codes": ", ".join(not_validated)})
    if missed_minimums:
        notes.append(_("Minimum requirements not met: %(codes)s.") % {"codes": ", ".join(missed_minimums)})
    if not notes:
        notes.append(_("All improvement areas validated and every minimum requirement met."))
    return Result(not not_validated and not missed_minimums, None, notes)
