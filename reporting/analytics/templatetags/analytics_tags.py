"""Money and percentage formatting for analytics pages."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

#: Currencies without a minor unit (ISO 4217 exponent 0) shown without decimals.
NO_MINOR_UNIT = frozenset({"VND", "JPY", "KRW", "CLP", "ISK", "PYG", "UGX", "XOF", "XAF"})


@register.filter
def money(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    places = 0 if (currency or "").upper() in NO_MINOR_UNIT else 2
    return floatformat(Decimal(value), f"{places}g")


@register.filter
def pct(value) -> str:
    """A change in percent with its sign, or a dash when there is nothing to compare."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ""
    return f"{sign}{floatformat(value, '1g')} %"


@register.filter
def trend(value) -> str:
    """up / down / flat, for an arrow that repeats the sign (colour is never alone)."""
    if value is None or value == 0:
        return "flat"
    return "up" if value > 0 else "down"
