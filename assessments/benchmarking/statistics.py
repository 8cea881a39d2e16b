"""The benchmarking's statistics: pure functions over numbers, no database."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Summary:
    """The five-number summary of one peer group's answers to one indicator."""

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """The lower quartile, the median and the upper quartile of at least two values.

    Linear interpolation between the sorted values, inclusive of the extremes
    (``statistics.quantiles(method="inclusive")``, Excel's ``QUARTILE.INC``,
    R's type 7): the p-quantile of n sorted values x[0..n-1] lies at position
    h = (n - 1) * p, that is x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
    For 1, 2, 3, 4, 5: 2, 3, 4. For 1, 2, 3, 4: 1.75, 2.5, 3.25.
    """
    if len(values) < 2:
        raise ValueError("quartiles need at least two values")
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, median, q3


def summarise(values: Sequence[float]) -> Summary:
    q1, median, q3 = quartiles(values)
    return Summary(len(values), min(values), q1, median, q3, max(values))


def percentile_rank(value: float, peers: Sequence[float]) -> float:
    """The organisation's percentile among its peers, in per cent (0 to 100).

    The share of peers with a lower value, plus half the share with the same
    value (the mid-rank definition): 50 means as many peers above as below,
    whatever the ties. Against 10, 20, 30, 40: 25 gives 50, 20 gives 37.5.
    """
    if not peers:
        raise ValueError("a percentile needs peers")
    below = sum(1 for peer in peers if peer < value)
    same = sum(1 for peer in peers if peer == value)
    return 100 * (below + same / 2) / len(peers)


def standing(value: float, summary: Summary) -> str:
    """Where the value lies, in words. Neutral on purpose: for a share of public
    funding, say, a high figure is neither good nor bad."""
    if value < summary.q1:
        return _("in the lowest quarter")
    if value > summary.q3:
        return _("in the highest quarter")
    if value < summary.median:
        return _("below the median")
    if value > summary.median:
        return _("above the median")
    return _("at the median")


def mean(values: Sequence[float | None]) -> float | None:
    """The mean of the known values; None when none is known."""
    known = [value for value in values if value is not None]
    return statistics.fmean(known) if known else None


def as_number(value: Any) -> float | None:
    """A stored numeric answer (an int, or a decimal string) as a float; None when unanswered."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return float(number) if number.is_finite() else None
