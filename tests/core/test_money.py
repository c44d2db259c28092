"""Money keeps its currency: rounding to the minor unit, conversion only through rates."""

from datetime import date
from decimal import Decimal

import pytest

from prm.core.money import CurrencyMismatch, Money, round_to_minor_unit


class Rates:
    """A rate table written for the test: 1 unit of the currency in USD, from a day."""

    reporting = "USD"
    table = {
        "EUR": [(date(2026, 1, 1), Decimal("1.10")), (date(2026, 7, 1), Decimal("1.05"))],
        "VND": [(date(2026, 1, 1), Decimal("0.0000395"))],
        "JPY": [(date(2026, 1, 1), Decimal("0.0067"))],
    }

    def rate(self, currency, day):
        if currency == "USD":
            return Decimal(1)
        found = None
        for valid_from, value in self.table.get(currency, []):
            if valid_from <= day:
                found = value
        return found


def test_it_rounds_to_whole_dong_and_yen_and_to_cents_otherwise():
    assert round_to_minor_unit(Decimal("32658227.85"), "VND") == Decimal("32658228")
    assert round_to_minor_unit(Decimal("1000.5"), "JPY") == Decimal("1001")
    assert round_to_minor_unit(Decimal("1090.909"), "EUR") == Decimal("1090.91")
    assert round_to_minor_unit(Decimal("1.2345"), "KWD") == Decimal("1.235")


def test_it_converts_a_usd_list_price_into_dong_at_the_rate_of_the_day():
    price = Money(Decimal("1290"), "USD").convert("VND", day=date(2026, 9, 1), rates=Rates())

    assert price == Money(Decimal("32658228"), "VND")  # 1290 / 0.0000395, whole dong


def test_it_converts_between_two_foreign_currencies_through_the_reporting_one():
    price = Money(Decimal("100"), "EUR").convert("JPY", day=date(2026, 3, 1), rates=Rates())

    assert price == Money(Decimal("16418"), "JPY")  # 100 * 1.10 / 0.0067 = 16417.9


def test_it_uses_the_rate_valid_on_the_day():
    amount = Money(Decimal("1050"), "USD")

    assert amount.convert("EUR", day=date(2026, 6, 30), rates=Rates()).amount == Decimal("954.55")
    assert amount.convert("EUR", day=date(2026, 7, 1), rates=Rates()).amount == Decimal("1000.00")


def test_it_has_no_value_without_a_rate():
    assert Money(Decimal("1"), "USD").convert("GBP", day=date(2026, 1, 1), rates=Rates()) is None
    assert Money(Decimal("1"), "USD").convert("EUR", day=date(2025, 1, 1), rates=Rates()) is None
    assert Money(Decimal("1"), "USD").convert("EUR", day=date(2026, 1, 1), rates=None) is None


def test_it_refuses_to_add_amounts_of_different_currencies():
    with pytest.raises(CurrencyMismatch):
        Money(Decimal("1"), "USD") + Money(Decimal("1"), "VND")
    assert Money(Decimal("2"), "VND") * 3 + Money(Decimal("1"), "VND") == Money(7, "VND")


def test_it_prints_the_currencys_decimals():
    assert str(Money(Decimal("344506332"), "VND")) == "344,506,332 VND"
    assert str(Money(Decimal("13608"), "USD")) == "13,608.00 USD"
