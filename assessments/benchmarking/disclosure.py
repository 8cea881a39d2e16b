"""The disclosure rule: what the report may show of one peer group's answers to one indicator.

The README's "Benchmarking privacy" states the rule for readers; this is the
one place that applies it. Every figure the report, its charts and its PDF show
of peers' answers is a ``Figures``, and a ``Figures`` is made only here:

1. **Threshold**: nothing from fewer than ``min_peers`` contributors, and no
   quartiles from fewer than ``min_peers_quartiles``.
2. **No ends**: ``Figures`` has no minimum or maximum (each is one contributor's answer).
3. **Interpolated**: the median and quartiles are Harrell-Davis estimates, weighted
   means of all the answers, never one answer picked out.
4. **Rounded**: to the written precision of the indicator, money to ``money_step``.
5. **Never a few peers' answer**: a figure whose written form equals the written form
   of the answer of at least one but fewer than ``min_peers`` contributors moves to
   the nearest value of its rounding grid that does not (at most ``MAX_NUDGE`` steps),
   and is not shown when none qualifies.
   (An answer that ``min_peers`` or more contributors gave is as safe to show as a
   group of that size.) This check, not the estimator, is what proves that no
   displayed figure is a single peer's answer.
6. **Dominance**: a figure is a weighted sum of the answers; when the two largest
   terms make more than ``dominance_percent`` of it, two contributors would
   determine it, and it is not shown.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.benchmarking.statistics import harrell_davis, hd_weights, round_to
from common.scheme import DisclosureRules

# The dominance rule looks at the largest contributions of this many contributors.
DOMINANT_CONTRIBUTORS = 2
# A figure that would read as a few peers' answer moves to the nearest value of its grid that does
# not, at most this many steps away, and is withheld when none within them qualifies.
MAX_NUDGE = 10


@dataclass(frozen=True)
class Figures:
    """What the report shows of one group's answers to one indicator. No minimum, no maximum."""

    count: int
    median: float
    q1: float | None = None
    q3: float | None = None

    @property
    def has_quartiles(self) -> bool:
        return self.q1 is not None and self.q3 is not None


@dataclass(frozen=True)
class Disclosed:
    figures: Figures | None
    note: str = ""


def too_few_note(threshold: int) -> str:
    return _("Not shown: fewer than %(k)d peers.") % {"k": threshold}


def disclose(
    answers: Sequence[float], *, rules: DisclosureRules, written: Callable[[float], str], step: Decimal
) -> Disclosed:
    """The figures the rule lets the report show of these answers, or why none.

    ``written`` is how the report writes a number of this indicator, ``step`` what it
    rounds to (the caller passes ``rules.money_step`` for money).
    """
    if len(answers) < rules.min_peers:
        return Disclosed(None, too_few_note(rules.min_peers))
    median = _safe(answers, 0.5, rules=rules, written=written, step=step)
    if median is None:
        return Disclosed(None, _("Not shown: the median would match or hang on single peers' answers."))
    if len(answers) < rules.min_peers_quartiles:
        note = _("Quartiles not shown: fewer than %(k)d peers.") % {"k": rules.min_peers_quartiles}
        return Disclosed(Figures(len(answers), median), note)
    q1 = _safe(answers, 0.25, rules=rules, written=written, step=step)
    q3 = _safe(answers, 0.75, rules=rules, written=written, step=step)
    if q1 is None or q3 is None:
        note = _("Quartiles not shown: they would match or hang on single peers' answers.")
        return Disclosed(Figures(len(answers), median), note)
    return Disclosed(Figures(len(answers), median, q1, q3))


def _safe(
    answers: Sequence[float], p: float, *, rules: DisclosureRules, written: Callable[[float], str], step: Decimal
) -> float | None:
    """The rounded p-quantile, or None where rule 5 or 6 withholds it."""
    if dominated(answers, p, rules.dominance_percent):
        return None
    estimate = harrell_davis(answers, p)
    held = Counter(written(answer) for answer in answers)
    nearest = round_to(estimate, step)
    candidates = sorted(
        (nearest + float(step) * offset for offset in range(-MAX_NUDGE, MAX_NUDGE + 1)),
        key=lambda candidate: (abs(candidate - estimate), candidate),
    )
    for candidate in candidates:
        figure = round_to(candidate, step)  # clean the float sum back onto the grid
        if not 0 < held[written(figure)] < rules.min_peers:
            return figure
    return None


def dominated(answers: Sequence[float], p: float, percent: Decimal) -> bool:
    """Whether the largest ``DOMINANT_CONTRIBUTORS`` terms of the p-quantile's weighted sum
    make more than ``percent`` of the sum of all its terms (their sizes, whatever the sign)."""
    ordered = sorted(answers)
    terms = sorted((abs(w * v) for w, v in zip(hd_weights(len(ordered), p), ordered, strict=True)), reverse=True)
    total = math.fsum(terms)
    if total == 0:
        return False  # all zero: rule 5 withholds it, every answer is written "0"
    return math.fsum(terms[:DOMINANT_CONTRIBUTORS]) > total * float(percent) / 100
