"""List prices in a deal's currency, and deal values in the reporting currency.

A deal is in its partner's currency; the catalogue is in the vendor's. A line's list
price is, in this order:

1. the price of the product in a :class:`~deals.models.PriceBook` in the deal's currency
   valid on the registration date (the partner tier's book before a book for every tier,
   then the book that started last);
2. the catalogue price converted with the exchange rates valid on the registration date,
   rounded to the currency's minor unit (whole dong and yen);
3. none: without a book or a rate there is no honest price, and the partner has to enter
   its own (the services refuse a line with neither).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from deals.models import Deal, PriceBookEntry, Product
from prm.core import money

_NOT_LOADED = object()


def registration_day(deal: Deal) -> date:
    """The day whose prices and rates price the deal: the day it was registered."""
    return timezone.localdate(deal.created_at) if deal.created_at else timezone.localdate()


def value_day(deal: Deal) -> date:
    """The day a deal's value is converted for reporting (as the dashboards do)."""
    moment = deal.submitted_at or deal.created_at
    return moment.date() if moment else timezone.localdate()


def book_prices(product_ids: Iterable[int], *, currency: str, tier_id, day: date) -> dict:
    """``{product_id: price}`` from the price books in ``currency`` valid on ``day``."""
    ids = list(product_ids)
    if not ids:
        return {}
    entries = (
        PriceBookEntry.objects.filter(
            product_id__in=ids,
            price_book__currency=currency,
            price_book__valid_from__lte=day,
        )
        .filter(Q(price_book__valid_until__isnull=True) | Q(price_book__valid_until__gte=day))
        .filter(Q(price_book__tier__isnull=True) | Q(price_book__tier_id=tier_id))
        .values_list("product_id", "price", "price_book__tier_id", "price_book__valid_from")
    )
    best: dict[int, tuple] = {}
    for product_id, price, book_tier, valid_from in entries:
        rank = (book_tier is not None, valid_from)
        if product_id not in best or rank > best[product_id][0]:
            best[product_id] = (rank, price)
    return {product_id: price for product_id, (_rank, price) in best.items()}


def list_prices(
    products: Iterable[Product], *, currency: str, tier_id=None, day: date, rates=_NOT_LOADED
) -> dict[int, Decimal | None]:
    """Each product's list price in ``currency`` on ``day`` (None: no book and no rate).

    Two queries at most (the books, then the rate table if something needs converting).
    """
    products = list(products)
    currency = currency.upper()
    found: dict[int, Decimal | None] = dict(
        book_prices([p.pk for p in products], currency=currency, tier_id=tier_id, day=day)
    )
    for product in products:
        if product.pk in found:
            continue
        if (product.currency or "").upper() == currency:
            found[product.pk] = product.list_price
            continue
        if rates is _NOT_LOADED:
            rates = money.load_rates()
        converted = money.Money(product.list_price, product.currency).convert(
            currency, day=day, rates=rates
        )
        found[product.pk] = None if converted is None else converted.amount
    return found


def in_reporting(deal: Deal, rates, *, amount: Decimal | None = None) -> money.Money | None:
    """The deal's value (or ``amount`` in its currency) in the reporting currency, at the
    rate of the day the dashboards use; None without rates or a rate for that day."""
    if rates is None:
        return None
    value = deal.expected_value if amount is None else amount
    return money.Money(value, deal.currency).convert(
        rates.reporting, day=value_day(deal), rates=rates
    )


def attach_reporting_values(deals: Iterable[Deal], *, rates=_NOT_LOADED) -> None:
    """Set ``value_reporting`` (a Money or None) on each deal; one query for the rates."""
    deals = list(deals)
    if not deals:
        return
    if rates is _NOT_LOADED:
        rates = money.load_rates()
    for deal in deals:
        deal.value_reporting = in_reporting(deal, rates)
        deal.reporting_currency = getattr(rates, "reporting", "")
