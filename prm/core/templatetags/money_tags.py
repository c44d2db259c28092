"""Amounts with their currency, in the reader's number format and the currency's decimals.

{% load money_tags %}
{{ deal.expected_value|amount_in:deal.currency }}   -> 344,506,332 VND
{{ deal.value_reporting|amount }}                   -> 13,608.00 USD (a Money)
"""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

from prm.core.money import Money, minor_unit

register = template.Library()


@register.filter
def amount_in(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    return f"{floatformat(Decimal(value), f'{minor_unit(currency)}g')} {currency}".strip()


@register.filter
def amount(value) -> str:
    if not isinstance(value, Money):
        return "—"
    return amount_in(value.amount, value.currency)
