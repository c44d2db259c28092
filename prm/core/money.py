"""Amounts that carry their currency, rounded to the currency's minor unit, and conversion.

A bare ``Decimal`` does not say which currency it is in; copying one between currencies
is how a USD list price once became a VND deal value. :class:`Money` keeps the pair
together, refuses to add amounts of different currencies, and converts only through a
rate lookup:

    from prm.core.money import Money, load_rates
    rates = load_rates()                      # the tenant's rate table, or None
    price = Money(Decimal("1290"), "USD").convert("VND", day=day, rates=rates)

A rate lookup is anything with ``reporting`` (the tenant's reporting currency) and
``rate(currency, day)`` (the value of one unit of ``currency`` in the reporting currency
valid on ``day``, or None). Rates are kept above this base layer, so the app that reads
them adds its loader at start-up (``registry.add_rate_loader``, prm/core/extensions.py);
conversion between two currencies goes through the reporting currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

#: ISO 4217 exponents that differ from 2 (every other currency has cents).
MINOR_UNITS: dict[str, int] = {
    # no minor unit
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # three decimals
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}


def minor_unit(currency: str) -> int:
    """Decimal places of ``currency`` (ISO 4217 exponent; 2 when not listed)."""
    return MINOR_UNITS.get((currency or "").upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def round_to_minor_unit(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to what ``currency`` can pay (whole dong, whole yen)."""
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


class RateLookup(Protocol):
    reporting: str

    def rate(self, currency: str, day: date) -> Decimal | None: ...


class CurrencyMismatch(ValueError):
    """Two amounts of different currencies were combined without converting."""


def convert_amount(
    amount: Decimal, source: str, target: str, *, day: date, rates: RateLookup | None
) -> Decimal | None:
    """``amount`` of ``source`` in ``target`` at the rates valid on ``day``, unrounded.

    None when a rate is missing (the caller must say so, never reuse the number as is).
    """
    source, target = (source or "").upper(), (target or "").upper()
    if source == target:
        return Decimal(amount)
    if rates is None:
        return None
    into_reporting = rates.rate(source, day)
    out_of_reporting = rates.rate(target, day)
    if into_reporting is None or out_of_reporting is None or not out_of_reporting:
        return None
    return Decimal(amount) * into_reporting / out_of_reporting


@dataclass(frozen=True)
class Money:
    """An amount and its ISO 4217 currency."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "amount", Decimal(self.amount))
        object.__setattr__(self, "currency", (self.currency or "").upper())

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def rounded(self) -> Money:
        return Money(round_to_minor_unit(self.amount, self.currency), self.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} + {other.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, factor) -> Money:
        if isinstance(factor, Money):
            return NotImplemented
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def convert(self, currency: str, *, day: date, rates: RateLookup | None) -> Money | None:
        """This amount in ``currency`` at the rates valid on ``day``, rounded to its minor
        unit; None when a rate is missing."""
        amount = convert_amount(self.amount, self.currency, currency, day=day, rates=rates)
        return None if amount is None else Money(amount, currency).rounded()

    def __str__(self) -> str:
        places = minor_unit(self.currency)
        return f"{self.amount:,.{places}f} {self.currency}"


def load_rates() -> RateLookup | None:
    """The current tenant's rates (one query), or None when no app provides rates."""
    from prm.core.extensions import registry

    for loader in registry.rate_loaders():
        return loader()
    return None
