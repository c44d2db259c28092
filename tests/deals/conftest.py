"""Deal fixtures: a small catalogue and a helper that registers deals through the services."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from deals import services
from deals.models import Product
from reporting.analytics.models import ExchangeRate

#: The rate partner_b's EUR deals are priced with (1 EUR in acme's USD), set here apart
#: from the app's code: EUR list prices in the tests are computed from it.
EUR_IN_USD = Decimal("1.10")


@pytest.fixture
def catalogue(acme):
    """Three products of acme's catalogue (USD), by SKU, and the EUR rate of partner_b."""
    ExchangeRate.objects.get_or_create(
        currency="EUR",
        quote_currency="USD",
        valid_from=date(2020, 1, 1),
        defaults={"rate": EUR_IN_USD},
    )
    rows = [
        ("SW-24", "Switch 24 ports", "1200.00"),
        ("SW-48", "Switch 48 ports", "2100.00"),
        ("AP-7", "Wi-Fi 7 access point", "450.00"),
    ]
    return {
        sku: Product.objects.create(vendor_sku=sku, name=name, list_price=Decimal(price))
        for sku, name, price in rows
    }


@pytest.fixture
def register(catalogue):
    """`register(user, customer, domain=..., skus=..., submit=True)` -> Deal (refreshed)."""

    def make(
        user,
        customer="Blue Harbor Logistics Inc.",
        *,
        domain="blue-harbor.com",
        country="US",
        skus=("SW-24", "SW-48"),
        submit=True,
    ):
        deal = services.deal_create(
            user=user,
            data=services.DealInput(
                customer_name=customer,
                customer_domain=domain,
                customer_country=country,
                contact_name="Dana Buyer",
                expected_close_date=date.today() + timedelta(days=60),
            ),
            lines=[services.LineInput(product_id=catalogue[sku].pk, quantity=2) for sku in skus],
        )
        if submit:
            deal = services.deal_submit(user=user, deal_id=deal.pk, expected_version=deal.version)
        deal.refresh_from_db()
        return deal

    return make
