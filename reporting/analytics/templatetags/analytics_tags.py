"""Money and percentage formatting for analytics pages."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext

from prm.core.money import minor_unit

register = template.Library()


@register.filter
def money(value, currency: str = "") -> str:
    if value is None or value == "":
        return "—"
    return floatformat(Decimal(value), f"{minor_unit(currency)}g")


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


@register.simple_tag
def health_cell(month) -> str:
    """One month of a partner's reporting health: a tag rather than an included template,
    as the health page shows 300 of them (50 partners, 6 months) and each include cost
    more than the cell."""
    if month.state == "missing":
        return format_html('<td class="missing">✗ {}</td>', gettext("missing"))
    if month.state == "late":
        return format_html(
            '<td class="late">⚠ {} <small>{}</small></td>', localize(month.lines), gettext("late")
        )
    return format_html('<td class="reported">✓ {}</td>', localize(month.lines))
