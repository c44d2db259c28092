"""Committed deal data for tests whose other side is a real connection, worker or server.

Such data cannot live in the test's rolled-back transaction (CONTRIBUTING.md, "committed"
pattern). Deal history is append-only down to a database trigger, so clean-up switches
triggers off for its own transaction only (``session_replication_role = replica``, a
superuser setting the test database has); nothing in the application can do that.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django_tenants.utils import schema_context

from deals import services
from deals.models import Deal, DealConflict, DealEvent, DealLine, Notification, Product


def committed_products(schema: str = "acme") -> dict[str, Product]:
    with schema_context(schema):
        products = {}
        for sku, price in (("RACE-SW", "1000.00"), ("RACE-AP", "300.00")):
            products[sku], _ = Product.objects.get_or_create(
                vendor_sku=sku, defaults={"name": sku, "list_price": Decimal(price)}
            )
        return products


def committed_deal(user, customer: str, *, skus=("RACE-SW",), submit=True, schema="acme"):
    products = committed_products(schema)
    with schema_context(schema):
        deal = services.deal_create(
            user=user,
            data=services.DealInput(
                customer_name=customer,
                customer_country="US",
                expected_close_date=date.today() + timedelta(days=30),
            ),
            # Quoted prices: committed data has no exchange rates to price EUR deals with.
            lines=[
                services.LineInput(
                    product_id=products[sku].pk, quantity=1, unit_price=products[sku].list_price
                )
                for sku in skus
            ],
        )
        if submit:
            deal = services.deal_submit(user=user, deal_id=deal.pk, expected_version=deal.version)
        return Deal.objects.get(pk=deal.pk)


def purge_deals(deal_ids, schema: str = "acme") -> None:
    """Remove test deals and everything hanging off them, history included.

    Raw SQL on purpose: Django's delete collector would also visit every model of other
    apps that points at a deal, which the test must not depend on.
    """
    ids = list(deal_ids)
    tables = [
        (Notification._meta.db_table, "deal_id"),
        (DealConflict._meta.db_table, "deal_id"),
        (DealConflict._meta.db_table, "other_deal_id"),
        (DealEvent._meta.db_table, "deal_id"),
        (DealLine._meta.db_table, "deal_id"),
        (Deal._meta.db_table, "id"),
    ]
    with schema_context(schema), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, column in tables:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [ids])
