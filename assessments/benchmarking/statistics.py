"""The benchmarking's statistics: pure functions over numbers, no database."""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Enough terms of the continued fraction for double precision, whatever the group size.
_BETA_TERMS = 300
_TINY = 1e-300


@functools.lru_cache(maxsize=512)
def hd_weights(n: int, p: float) -> tuple[float, ...]:
    """The weight of each of n sorted values in the Harrell-Davis estimate of the p-quantile.

    Weight i (1-based) is I(i/n) - I((i-1)/n), I the regularised incomplete beta
    function with a = p(n + 1), b = (1 - p)(n + 1) (Harrell and Davis, 1982,
    Biometrika 69: 635-640). Every weight is positive: the estimate is a
    weighted mean of all the values, never one value picked out. The weights
    depend on n and p only, and a report asks for the same few many times (a
    group of 1,300 costs some 50 ms), so they are kept.
    """
    if n < 1 or not 0 < p < 1:
        raise ValueError("weights need at least one value and 0 < p < 1")
    a, b = p * (n + 1), (1 - p) * (n + 1)
    cumulative = [regularised_beta(a, b, i / n) for i in range(n + 1)]
    return tuple(cumulative[i] - cumulative[i - 1] for i in range(1, n + 1))


def harrell_davis(values: Sequence[float], p: float) -> float:
    """The Harrell-Davis estimate of the p-quantile of the values (see ``hd_weights``)."""
    ordered = sorted(values)
    return math.fsum(w * v for w, v in zip(hd_weights(len(ordered), p), ordered, strict=True))


def regularised_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) by its continued fraction (Numerical Recipes, section 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > _TINY else _TINY)
    fraction = d
    for m in range(1, _BETA_TERMS):
        for numerator in (
            m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            fraction *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return fraction


def round_to(value: float, step: Decimal) -> float:
    """The value rounded to the nearest multiple of step, halves away from zero."""
    steps = (Decimal(repr(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(steps * step)


def share_below(value: float, peers: Sequence[float]) -> float:
    """The share of peers with a lower value, in per cent (0 to 100).

    Ties count as not lower, so the figure never tells that some peer answered
    exactly the organisation's own value (a mid-rank, counting half the ties,
    would: against five peers, 50 is 2.5 of them). Against 10, 20, 20, 30:
    25 gives 75, 20 gives 25.
    """
    if not peers:
        raise ValueError("a percentile needs peers")
    return 100 * sum(1 for peer in peers if peer < value) / len(peers)


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
