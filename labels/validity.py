"""How long a label is valid, when it may be renewed, and what state it is in.

The rules are DOMAIN.md's "Validity and renewal"; every number comes from
``common.scheme.rules_for(level)`` so the label office can change the scheme in
one place. Periods are counted in calendar months and always end on the last
day of a month: the scheme says "valid for 2 years from the month of the
interview", so the day of the interview never shortens or lengthens a label.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from common.enums import Level
from common.scheme import rules_for
from labels.enums import LabelState


@dataclass(frozen=True)
class Validity:
    valid_from: date
    valid_until: date
    is_renewal: bool


def end_of_month_after(day: date, months: int) -> date:
    """The last day of the month that lies ``months`` calendar months after ``day``'s month."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, calendar.monthrange(year, month)[1])


def renewal_window_end(*, level: Level | str, valid_until: date) -> date:
    """The last day (inclusive) on which a label that expired on ``valid_until`` may still be renewed."""
    return end_of_month_after(valid_until, rules_for(level).renewal_window_months)


def renewal_opens_on(*, level: Level | str, valid_until: date) -> date:
    """The first day on which a label expiring on ``valid_until`` may be renewed:
    the first day of the whole months ``renewal_opens_months_before`` before its end
    (6 months before 31 March 2028: from 1 October 2027). Earlier, a "renewal"
    would only add years to a label just awarded."""
    return end_of_month_after(valid_until, -rules_for(level).renewal_opens_months_before) + timedelta(days=1)


def compute_validity(*, level: Level | str, assessed_on: date, previous_valid_until: date | None) -> Validity:
    """The validity of a label assessed on ``assessed_on``.

    ``previous_valid_until`` is the end of the organisation's previous label of
    the same level (None for a first label). Assessed before that label's
    renewal window closed (before or after its expiry), the new label is a
    renewal and continues it without a gap or an overlap; assessed later, the
    organisation starts again as a first applicant.
    """
    rules = rules_for(level)
    if previous_valid_until is not None and assessed_on <= renewal_window_end(
        level=level, valid_until=previous_valid_until
    ):
        return Validity(
            valid_from=previous_valid_until + timedelta(days=1),
            valid_until=end_of_month_after(previous_valid_until, rules.renewal_extension_months),
            is_renewal=True,
        )
    return Validity(
        valid_from=assessed_on,
        valid_until=end_of_month_after(assessed_on, rules.months_valid),
        is_renewal=False,
    )


class LabelLike(Protocol):
    """What ``label_state`` reads: a ``labels.models.Label`` or anything shaped like one
    (read-only: ``labels.verification.VerifiedLabel`` is frozen)."""

    @property
    def level(self) -> str: ...

    @property
    def valid_until(self) -> date: ...

    @property
    def revoked_at(self) -> datetime | None: ...

    @property
    def superseded_by_id(self) -> int | None: ...


def label_state(label: LabelLike, today: date) -> LabelState:
    """The state of a label on ``today``. Revocation and supersession win over dates:
    a revoked label must read revoked even while its dates are still good."""
    if label.revoked_at is not None:
        return LabelState.REVOKED
    if label.superseded_by_id is not None:
        return LabelState.SUPERSEDED
    if today <= label.valid_until:
        if (label.valid_until - today).days <= rules_for(label.level).expiring_days:
            return LabelState.EXPIRING
        return LabelState.VALID
    if today <= renewal_window_end(level=label.level, valid_until=label.valid_until):
        return LabelState.RENEWABLE
    return LabelState.LAPSED
