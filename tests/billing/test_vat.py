"""The VAT rules of the seller's country, one test per row of BILLING_VAT_RULES."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from billing.vat import Buyer, domestic_rate, money, vat_decide, vat_number_is_valid, vat_number_normalise

DAY = date(2026, 6, 1)


def test_a_german_business_pays_german_vat() -> None:
    decision = vat_decide(Buyer("DE", "DE136695976", True), on=DAY)

    assert (decision.rule, decision.rate, decision.category, decision.note) == ("domestic", Decimal("19.00"), "S", "")


def test_an_austrian_business_with_a_valid_vat_number_is_reverse_charged_with_the_mandatory_wording() -> None:
    decision = vat_decide(Buyer("AT", "ATU13585627", True), on=DAY)

    assert (decision.rule, decision.rate, decision.category) == ("reverse_charge", Decimal("0"), "AE")
    assert "Reverse charge" in decision.note
    assert "Steuerschuldnerschaft des Leistungsempfängers" in decision.note


def test_an_eu_business_without_a_valid_vat_number_pays_german_vat() -> None:
    for number in ("", "ATU13585628"):  # none, or a wrong check digit
        decision = vat_decide(Buyer("AT", number, True), on=DAY)

        assert (decision.rule, decision.rate) == ("domestic", Decimal("19.00"))


def test_a_buyer_outside_the_eu_pays_no_vat_and_the_invoice_says_why() -> None:
    decision = vat_decide(Buyer("RS", "RS101134702", True), on=DAY)

    assert (decision.rule, decision.rate, decision.category) == ("outside_eu", Decimal("0"), "O")
    assert "Not taxable in Germany" in decision.note


@pytest.mark.parametrize("country", ["AT", "RS", "DE"])
def test_a_non_business_buyer_is_treated_as_domestic_and_the_invoice_says_so(country: str) -> None:
    decision = vat_decide(Buyer(country, "", False), on=DAY)

    assert decision.rate == Decimal("19.00")
    assert decision.rule in ("domestic", "non_business")
    if country != "DE":
        assert decision.rule == "non_business" and "non-business" in decision.note


@override_settings(
    BILLING_VAT_RATES=[{"rate": "19.00", "valid_from": "2007-01-01"}, {"rate": "16.00", "valid_from": "2020-07-01"}]
)
def test_the_domestic_rate_is_the_newest_one_started_on_the_day() -> None:
    assert domestic_rate(date(2020, 6, 30)) == Decimal("19.00")
    assert domestic_rate(date(2020, 7, 1)) == Decimal("16.00")


def test_vat_numbers_are_checked_for_their_country() -> None:
    assert vat_number_normalise("de 136 695 976", "DE") == "DE136695976"
    assert vat_number_normalise("101134702", "RS") == "RS101134702"
    assert vat_number_is_valid("ATU13585627", "AT")
    assert not vat_number_is_valid("ATU13585627", "DE")  # another country's number
    assert not vat_number_is_valid("DE136695977", "DE")  # check digit


def test_money_rounds_half_up_to_the_cent() -> None:
    assert money(Decimal("313.505")) == Decimal("313.51")
    assert money(Decimal("0.125")) == Decimal("0.13")
    assert money(Decimal("-0.125")) == Decimal("-0.13")
