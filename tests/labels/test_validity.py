"""Validity and renewal: DOMAIN.md's rules, at their edges, with the numbers from LABEL_SCHEME."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pytest_django import Settings

from labels.enums import LabelState
from labels.validity import Validity, compute_validity, end_of_month_after, label_state


@dataclass
class FakeLabel:
    """The four fields label_state reads; a plain object keeps these tests off the database."""

    level: str = "bronze"
    valid_until: date = date(2028, 3, 31)
    revoked_at: datetime | None = None
    superseded_by_id: int | None = None


def test_end_of_month_after_crosses_the_year() -> None:
    assert end_of_month_after(date(2026, 11, 5), 3) == date(2027, 2, 28)


def test_first_label_runs_to_the_end_of_the_month_two_years_on() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2026, 3, 15), previous_valid_until=None)

    assert validity == Validity(valid_from=date(2026, 3, 15), valid_until=date(2028, 3, 31), is_renewal=False)


def test_first_label_assessed_on_the_last_day_of_a_month() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2026, 1, 31), previous_valid_until=None)

    assert validity.valid_until == date(2028, 1, 31)


def test_first_label_assessed_on_29_february_ends_on_28_february() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2024, 2, 29), previous_valid_until=None)

    assert validity.valid_until == date(2026, 2, 28)


def test_first_label_ending_in_a_leap_february_ends_on_the_29th() -> None:
    validity = compute_validity(level="silver", assessed_on=date(2026, 2, 1), previous_valid_until=None)

    assert validity.valid_until == date(2028, 2, 29)


def test_renewal_after_expiry_extends_seamlessly_by_three_years() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2028, 9, 10), previous_valid_until=date(2028, 3, 31))

    assert validity == Validity(valid_from=date(2028, 4, 1), valid_until=date(2031, 3, 31), is_renewal=True)


def test_renewal_before_expiry_extends_from_the_end_of_the_previous_validity() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2027, 12, 1), previous_valid_until=date(2028, 3, 31))

    assert validity == Validity(valid_from=date(2028, 4, 1), valid_until=date(2031, 3, 31), is_renewal=True)


def test_renewal_on_the_last_day_of_the_window_is_a_renewal() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2029, 3, 31), previous_valid_until=date(2028, 3, 31))

    assert validity == Validity(valid_from=date(2028, 4, 1), valid_until=date(2031, 3, 31), is_renewal=True)


def test_renewal_the_day_after_the_window_starts_again() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2029, 4, 1), previous_valid_until=date(2028, 3, 31))

    assert validity == Validity(valid_from=date(2029, 4, 1), valid_until=date(2031, 4, 30), is_renewal=False)


def test_renewal_window_of_a_february_label_ends_at_the_end_of_february() -> None:
    validity = compute_validity(level="bronze", assessed_on=date(2027, 2, 28), previous_valid_until=date(2026, 2, 28))

    assert (validity.is_renewal, validity.valid_until) == (True, date(2029, 2, 28))


def test_gold_renewal_uses_the_gold_extension() -> None:
    validity = compute_validity(level="gold", assessed_on=date(2028, 2, 1), previous_valid_until=date(2028, 3, 31))

    assert validity.valid_until == date(2030, 3, 31)


def test_validity_reads_the_numbers_from_the_scheme(settings: Settings) -> None:
    settings.LABEL_SCHEME = {
        **settings.LABEL_SCHEME,
        "bronze": {**settings.LABEL_SCHEME["bronze"], "months_valid": 12, "renewal_extension_months": 24},
    }

    first = compute_validity(level="bronze", assessed_on=date(2026, 3, 15), previous_valid_until=None)
    renewal = compute_validity(level="bronze", assessed_on=date(2027, 4, 1), previous_valid_until=first.valid_until)

    assert (first.valid_until, renewal.valid_until) == (date(2027, 3, 31), date(2029, 3, 31))


def test_label_state_valid_far_from_expiry() -> None:
    assert label_state(FakeLabel(), date(2027, 1, 1)) == LabelState.VALID


def test_label_state_expiring_within_the_configured_days() -> None:
    # 90 days before 31 March 2028 is 1 January 2028.
    assert label_state(FakeLabel(), date(2028, 1, 1)) == LabelState.EXPIRING
    assert label_state(FakeLabel(), date(2027, 12, 31)) == LabelState.VALID


def test_label_state_on_the_last_valid_day_is_expiring() -> None:
    assert label_state(FakeLabel(), date(2028, 3, 31)) == LabelState.EXPIRING


def test_label_state_renewable_until_the_window_closes() -> None:
    assert label_state(FakeLabel(), date(2028, 4, 1)) == LabelState.RENEWABLE
    assert label_state(FakeLabel(), date(2029, 3, 31)) == LabelState.RENEWABLE


def test_label_state_lapsed_after_the_window() -> None:
    assert label_state(FakeLabel(), date(2029, 4, 1)) == LabelState.LAPSED


def test_label_state_revoked_wins_over_dates() -> None:
    label = FakeLabel(revoked_at=datetime(2027, 1, 1, 12, 0), superseded_by_id=7)

    assert label_state(label, date(2027, 1, 2)) == LabelState.REVOKED


def test_label_state_superseded_wins_over_dates() -> None:
    assert label_state(FakeLabel(superseded_by_id=7), date(2027, 1, 2)) == LabelState.SUPERSEDED


def test_label_state_strings_are_the_documented_ones() -> None:
    assert LabelState.values == ["valid", "expiring", "renewable", "lapsed", "revoked", "superseded"]
