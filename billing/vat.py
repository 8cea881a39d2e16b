"""VAT: which rule of the seller's country applies to a buyer, and the VAT number check.

The rules are a table in the settings (``BILLING_VAT_RULES``), tried in order;
the first whose condition holds decides the rate, the EN 16931 VAT category
and the wording the invoice must carry. The domestic rate comes from
``BILLING_VAT_RATES``, each rate with the day it starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from stdnum import vatin
from stdnum.exceptions import ValidationError as StdnumError

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up, as invoices are rounded (per line)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Buyer:
    country: str
    vat_number: str
    is_business: bool


@dataclass(frozen=True)
class VatDecision:
    rule: str
    rate: Decimal
    category: str
    note: str


def vat_number_normalise(number: str, country: str) -> str:
    """The VAT number in its compact form, checked for its country's format and check digits.

    Raises ``ValueError`` with the reason when it is not valid. Serbian (PIB) and
    other non-EU numbers are checked by their country's module where stdnum has one.
    """
    compact = "".join(number.split()).upper()
    if not compact:
        return ""
    if not compact[:2].isalpha():
        compact = f"{country.upper()}{compact}"
    if compact[:2] != country.upper() and not (country.upper() == "GR" and compact[:2] == "EL"):
        raise ValueError("The VAT number does not belong to the payer's country.")
    try:
        return str(vatin.validate(compact))
    except StdnumError as error:
        raise ValueError(str(error)) from None


def vat_number_is_valid(number: str, country: str) -> bool:
    try:
        return bool(vat_number_normalise(number, country))
    except ValueError:
        return False


def domestic_rate(on: date) -> Decimal:
    """The seller's country's standard rate on a day: the newest rate started by then."""
    started = [r for r in settings.BILLING_VAT_RATES if date.fromisoformat(r["valid_from"]) <= on]
    if not started:
        raise ImproperlyConfigured(f"BILLING_VAT_RATES has no rate valid on {on}.")
    return Decimal(max(started, key=lambda r: r["valid_from"])["rate"])


def _seller_country() -> str:
    return str(settings.BILLING_SELLER["country"]).upper()


CONDITIONS: dict[str, Callable[[Buyer], bool]] = {
    "seller_country": lambda b: b.country.upper() == _seller_country(),
    "non_business": lambda b: not b.is_business,
    "eu_business_with_vat_number": lambda b: (
        b.is_business
        and b.country.upper() in settings.BILLING_EU_COUNTRIES
        and vat_number_is_valid(b.vat_number, b.country)
    ),
    "outside_eu": lambda b: b.country.upper() not in settings.BILLING_EU_COUNTRIES,
}


def vat_decide(buyer: Buyer, *, on: date) -> VatDecision:
    """The rule for ``buyer`` on the day ``on``. An EU business without a valid
    VAT number matches no exemption and falls back to domestic VAT."""
    for row in settings.BILLING_VAT_RULES:
        if CONDITIONS[row["when"]](buyer):
            return _decision(row, on)
    return _decision(settings.BILLING_VAT_RULES[0], on)


def _decision(row: dict[str, str], on: date) -> VatDecision:
    rate = domestic_rate(on) if row["rate"] == "domestic" else Decimal(row["rate"])
    return VatDecision(rule=row["rule"], rate=rate, category=row["category"], note=row["note"])
