"""The result of an assessment, by the rules of DOMAIN.md and the per-level configuration.

Gold: at least the pass mark (80 %) of the maximum score, and every minimum
requirement met. Silver: every improvement area (chosen from the first
benchmarking's recommendations) validated by the auditor, and every baseline
minimum of the configuration met; the notes say which failed. Bronze: the
benchmarking completed (every indicator scored) and the organisation eligible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from assessments.answers import is_answered
from assessments.enums import ThresholdKind
from assessments.models import Indicator, Score, SilverImprovementArea
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
    *,
    level: Level | str,
    indicators: list[Indicator],
    agreed: dict[int, Score],
    eligible: bool,
    areas: Sequence[SilverImprovementArea] = (),
) -> Result:
    level = Level(level)
    if level == Level.SILVER:
        return _silver(indicators, agreed, list(areas))
    unscored = [i.code for i in indicators if i.pk not in agreed or agreed[i.pk].met is None]
    if unscored:
        return Result(False, None, [_("Not scored yet: %(codes)s.") % {"codes": ", ".join(unscored)}], unscored)
    missed_minimums = [i.code for i in indicators if i.minimum_requirement and not agreed[i.pk].met]
    if level == Level.GOLD:
        return _gold(indicators, agreed, missed_minimums)
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


def _silver(indicators: list[Indicator], agreed: dict[int, Score], areas: list[SilverImprovementArea]) -> Result:
    """Silver passes when every improvement area is validated by the auditor and every
    baseline minimum (``baseline_minimums`` in the configuration) is met; the notes
    name each area not validated and each minimum failed."""
    rules = rules_for(Level.SILVER)
    by_code = {indicator.code: indicator for indicator in indicators}
    unscored = [
        code
        for code in rules.baseline_minimums
        if code in by_code and (by_code[code].pk not in agreed or agreed[by_code[code].pk].met is None)
    ]
    pending = [f"{_('area')} {area.position}" for area in areas if area.validated is None]
    missing = rules.improvement_areas - len(areas)
    if unscored or pending or missing > 0:
        notes = []
        if missing > 0:
            notes.append(_("%(n)d improvement area(s) not chosen yet.") % {"n": missing})
        if unscored or pending:
            notes.append(_("Not scored yet: %(codes)s.") % {"codes": ", ".join(unscored + pending)})
        return Result(False, None, notes, unscored + pending or ["areas"])
    notes = [
        _("Improvement area %(n)d not validated: %(reason)s") % {"n": area.position, "reason": area.validation_note}
        for area in areas
        if not area.validated
    ]
    for code in rules.baseline_minimums:
        indicator = by_code.get(code)
        if indicator is None:
            notes.append(_("Baseline minimum requirement %(code)s is not in this questionnaire.") % {"code": code})
        elif not agreed[indicator.pk].met:
            notes.append(
                _("Baseline minimum requirement not met: %(code)s %(title)s.")
                % {"code": code, "title": indicator.tr_title}
            )
    if notes:
        return Result(False, None, notes)
    return Result(
        True,
        None,
        [
            _("All %(n)d improvement areas validated against the Gold criteria and every baseline minimum met.")
            % {"n": len(areas)}
        ],
    )
