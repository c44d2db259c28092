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
            lines=[services.LineInput(product_id=products[sku].pk, quantity=1) for sku in skus],
        )
        if submit:
            deal = services.deal_submit(user=user, deal_id=deal.pk, expected_version=deal.version)
        return Deal.objects.get(pk=deal.pk)


def purge_deals(deal_ids, schema: str = "acme") -> None:
    """Remove test deals and everything hanging off them, history included."""
    with schema_context(schema), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        Notification.objects.filter(deal_id__in=deal_ids).delete()
        DealConflict.objects.filter(deal_id__in=deal_ids).delete()
        DealConflict.objects.filter(other_deal_id__in=deal_ids).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {DealEvent._meta.db_table} WHERE deal_id = ANY(%s)", [list(deal_ids)]
            )
        DealLine.objects.filter(deal_id__in=deal_ids).delete()
        Deal.objects.filter(pk__in=deal_ids).delete()
