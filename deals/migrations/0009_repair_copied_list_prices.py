"""Repair deal lines that copied a catalogue price in another currency as their own.

Until deals were priced in their currency (deals.pricing), a line without a quoted price
took the product's list price as is: a VND partner's switch at USD 1,290 was stored as
1,290 VND. Such a line (product currency differs from the deal's and the unit price equals
the list price) gets the list price converted at the rates valid on the registration date,
rounded to the deal currency's minor unit; the deal's value follows unless it was entered
by hand, its version grows (open forms must reload), and its history says what changed.
Lines whose rate is missing are left as they are. The dashboards' summaries pick the
repaired values up at their next rebuild (the nightly full refresh at the latest).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, migrations

#: Frozen copy of prm.core.money's exponents that differ from 2 (this migration must not
#: change when that module does).
_EXPONENTS = {
    **dict.fromkeys(
        "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
}


def _round(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-_EXPONENTS.get(currency, 2)), ROUND_HALF_UP)


def _show(amount: Decimal, currency: str) -> str:
    return f"{amount:,.{_EXPONENTS.get(currency, 2)}f} {currency}"


def _reporting_currency() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('tenancy_vendor') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute(
            "SELECT reporting_currency FROM tenancy_vendor WHERE schema_name = %s",
            [connection.schema_name],
        )
        row = cursor.fetchone()
    return row[0].upper() if row and row[0] else None


def repair(apps, schema_editor):
    DealLine = apps.get_model("deals", "DealLine")
    Deal = apps.get_model("deals", "Deal")
    DealEvent = apps.get_model("deals", "DealEvent")
    try:  # the model moved from analytics to reporting (same table, analytics 0006)
        ExchangeRate = apps.get_model("reporting", "ExchangeRate")
    except LookupError:
        ExchangeRate = apps.get_model("analytics", "ExchangeRate")

    reporting = _reporting_currency()
    if reporting is None:
        return  # the template schema, or a schema without its vendor: no deals to price
    rates = defaultdict(list)
    for currency, valid_from, rate in (
        ExchangeRate.objects.filter(quote_currency=reporting)
        .order_by("currency", "valid_from")
        .values_list("currency", "valid_from", "rate")
    ):
        rates[currency.upper()].append((valid_from, rate))

    def rate(currency, day):
        if currency == reporting:
            return Decimal(1)
        found = None
        for valid_from, value in rates.get(currency, ()):
            if valid_from > day:
                break
            found = value
        return found

    lines = DealLine.objects.select_related("deal", "product").order_by("deal_id", "id")
    changes = defaultdict(list)
    for line in lines.iterator(chunk_size=2000):
        deal, product = line.deal, line.product
        deal_currency = (deal.currency or "").upper()
        product_currency = (product.currency or "").upper()
        if product_currency == deal_currency:
            if line.list_price is None:
                DealLine.objects.filter(pk=line.pk).update(list_price=product.list_price)
            continue
        if line.unit_price != product.list_price:
            continue  # a price the partner entered: in the deal's currency already
        day = deal.created_at.date()
        into, out = rate(product_currency, day), rate(deal_currency, day)
        if into is None or not out:
            continue
        converted = _round(product.list_price * into / out, deal_currency)
        DealLine.objects.filter(pk=line.pk).update(unit_price=converted, list_price=converted)
        changes[deal.pk].append(
            f"{product.vendor_sku}: {_show(line.unit_price, deal_currency)} → "
            f"{_show(converted, deal_currency)} "
            f"({_show(product.list_price, product_currency)} at the rates of {day})"
        )

    for deal in Deal.objects.filter(pk__in=list(changes)).order_by("pk"):
        notes = changes[deal.pk]
        fields = ["version"]
        if not deal.value_overridden:
            total = sum(
                (
                    unit_price * quantity
                    for unit_price, quantity in DealLine.objects.filter(deal=deal).values_list(
                        "unit_price", "quantity"
                    )
                ),
                Decimal(0),
            )
            notes.append(
                f"expected value {_show(deal.expected_value, deal.currency)} → "
                f"{_show(total, deal.currency)}"
            )
            deal.expected_value = total
            fields.append("expected_value")
        deal.version += 1
        deal.save(update_fields=fields)
        DealEvent.objects.create(
            deal=deal,
            actor=None,
            kind="repriced",
            comment="List prices were in another currency; converted to the deal's. "
            + "; ".join(notes),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0008_price_books"),
        ("analytics", "0001_initial"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
