"""Independent figures: computed in plain Python from the raw rows a test wrote."""

from datetime import date
from decimal import Decimal

RATES = {"USD": Decimal(1), "EUR": Decimal("1.10")}


def converted(line) -> Decimal | None:
    rate = RATES.get(line.currency)
    return None if rate is None else line.amount * rate


def total(lines, start: date, end: date, *, partner_ids=None, sku=None) -> Decimal:
    """Sales in the reporting currency of lines invoiced in [start, end] (whole months)."""
    result = Decimal(0)
    for line in lines:
        month = line.invoice_date.replace(day=1)
        if not start <= month <= end:
            continue
        if partner_ids is not None and line.partner_id not in partner_ids:
            continue
        if sku is not None and line.vendor_sku != sku:
            continue
        value = converted(line)
        if value is not None:
            result += value
    return result


def by_key(lines, key, start: date, end: date, *, partner_ids=None) -> dict:
    result: dict = {}
    for line in lines:
        month = line.invoice_date.replace(day=1)
        if not start <= month <= end or (partner_ids and line.partner_id not in partner_ids):
            continue
        value = converted(line)
        if value is not None:
            result[key(line)] = result.get(key(line), Decimal(0)) + value
    return result


def money(value: Decimal) -> str:
    """As the pages show it: grouped, two decimals."""
    return f"{value:,.2f}"
