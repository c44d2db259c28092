"""The catalogue, SKU-alias and exchange-rate imports run a fixed number of queries
whatever the number of rows (no query per CSV row)."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.imports import products_import
from deals.models import Product
from reporting.analytics.models import ExchangeRate
from reporting.analytics.services import exchange_rates_import
from reporting.services import sku_aliases_import


def _products_csv(count: int, *, price: str = "10") -> str:
    rows = [f"BUDGET-{n},Budget part {n},{price},USD" for n in range(count)]
    return "\n".join(["vendor_sku,name,list_price,currency", *rows])


def _queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def test_it_imports_products_in_constant_queries(acme):
    small, first = _queries(lambda: products_import(text=_products_csv(5)))
    large, second = _queries(lambda: products_import(text=_products_csv(50, price="12")))
    assert small == large
    assert (first.created, first.updated, first.errors) == (5, 0, [])
    assert (second.created, second.updated, second.errors) == (45, 5, [])
    assert Product.objects.get(vendor_sku="BUDGET-0").list_price == 12


def test_it_imports_sku_aliases_in_constant_queries(acme, cast):
    products_import(text=_products_csv(50))
    slug = cast.partner_a.slug

    def aliases(count: int, offset: int = 0) -> str:
        rows = [f"{slug},P-{n},BUDGET-{(n + offset) % 50}" for n in range(count)]
        return "\n".join(["partner,partner_sku,vendor_sku", *rows])

    sku_aliases_import(text=aliases(1))  # both runs below create some and update some
    small, first = _queries(lambda: sku_aliases_import(text=aliases(5)))
    large, second = _queries(lambda: sku_aliases_import(text=aliases(50, offset=1)))
    assert small == large
    assert (first.created, first.updated, first.errors) == (4, 1, [])
    assert (second.created, second.updated, second.errors) == (45, 5, [])


def test_it_imports_exchange_rates_in_constant_queries(acme, cast):
    def rates(count: int, rate: str) -> str:
        start = date(2026, 1, 1)
        rows = [f"EUR,{rate},{start + timedelta(days=n)}" for n in range(count)]
        return "\n".join(["currency,rate,valid_from", *rows])

    user = cast.vendor_admin
    small, first = _queries(lambda: exchange_rates_import(user=user, text=rates(5, "1.1")))
    large, second = _queries(lambda: exchange_rates_import(user=user, text=rates(50, "1.2")))
    assert small == large
    assert (first.saved, first.errors) == (5, [])
    assert (second.saved, second.errors) == (50, [])
    assert ExchangeRate.objects.filter(currency="EUR", rate="1.2").count() == 50
