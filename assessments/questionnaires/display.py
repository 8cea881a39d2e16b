"""How a questionnaire's numbers and thresholds read to people."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.enums import AnswerType, ThresholdKind
from assessments.models import Indicator


def threshold_text(indicator: Indicator) -> str:
    """When a Gold indicator is met, in words: "Met with at least 15 members"."""
    threshold = indicator.threshold or {}
    kind = threshold.get("kind")
    unit = f" {indicator.tr_unit}" if indicator.unit else ""
    if indicator.answer_type == AnswerType.PERCENTAGE:
        unit = " %"
    if kind == ThresholdKind.AT_LEAST:
        return _("Met with at least %(value)s%(unit)s.") % {"value": plain_number(threshold["value"]), "unit": unit}
    if kind == ThresholdKind.AT_MOST:
        return _("Met with at most %(value)s%(unit)s.") % {"value": plain_number(threshold["value"]), "unit": unit}
    if kind == ThresholdKind.YES:
        return _("Met when answered yes.")
    if kind == ThresholdKind.CHOICE_IN:
        labels = {choice["value"]: choice["label"] for choice in indicator.tr_choices}
        chosen = "; ".join(str(labels.get(value, value)) for value in threshold.get("choices", []))
        return _("Met with one of: %(choices)s.") % {"choices": chosen}
    if kind == ThresholdKind.ANSWERED:
        if indicator.evidence_required or indicator.answer_type == AnswerType.FILE:
            return _("Met when answered with evidence.")
        return _("Met when answered.")
    return ""


def plain_number(value: Decimal | float | int | None) -> str:
    """15 rather than 15.0000 or 1.5E+1; 0.5 rather than 0.5000."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")
