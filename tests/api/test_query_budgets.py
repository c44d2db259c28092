"""API lists and details cost the same number of queries however many rows they show."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import services
from deals.models import Product
from partners.models import Partner
from tests.api.support import key_for, with_key
from tests.api.test_resources import _lines


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def _deals(cast, product, start: int, count: int) -> None:
    for n in range(start, start + count):
        deal = services.deal_create(
            user=cast.rep_a1,
            data=services.DealInput(
                customer_name=f"Budget Customer {n}", customer_domain=f"b{n}.ex"
            ),
            lines=[services.LineInput(product_id=product.pk, quantity=1)],
        )
        services.deal_submit(user=cast.rep_a1, deal_id=deal.pk, expected_version=deal.version)


def test_it_lists_deals_partners_and_sales_lines_in_constant_queries(cast, acme, client_for):
    product = Product.objects.create(vendor_sku="BUDGET", name="B", list_price=Decimal("3"))
    admin = with_key(client_for(None), key_for(cast.vendor_admin))
    urls = ["/api/v1/deals/", "/api/v1/partners/", "/api/v1/sales-lines/", "/api/v1/uploads/"]
    admin.get("/api/v1/products/")  # the key's first use is noted once (last used)

    _deals(cast, product, 0, 2)
    _lines(cast.partner_a, cast.partner_a_admin, [cast.partner_a.created_at.date()])
    few = {url: _queries(admin, url) for url in urls}

    _deals(cast, product, 2, 8)
    for n in range(5):
        Partner.objects.create(name=f"Budget {n}", slug=f"budget-{n}", channel_manager=cast.cm_a)
    for _ in range(4):
        _lines(cast.partner_b, cast.partner_b_admin, [cast.partner_a.created_at.date()] * 3)
    many = {url: _queries(admin, url) for url in urls}
    assert many == few


def test_it_shows_a_deal_with_its_lines_in_constant_queries(cast, acme, client_for):
    products = [
        Product.objects.create(vendor_sku=f"LINE-{n}", name=f"L{n}", list_price=Decimal("1"))
        for n in range(6)
    ]

    def deal_with(count: int) -> int:
        deal = services.deal_create(
            user=cast.rep_a1,
            data=services.DealInput(customer_name=f"Lines {count}"),
            lines=[services.LineInput(product_id=p.pk, quantity=1) for p in products[:count]],
        )
        return deal.pk

    cm = with_key(client_for(None), key_for(cast.cm_a))
    cm.get("/api/v1/products/")  # the key's first use is noted once (last used)
    one, six = deal_with(1), deal_with(6)
    assert _queries(cm, f"/api/v1/deals/{six}/") == _queries(cm, f"/api/v1/deals/{one}/")


def test_the_webhook_endpoint_page_costs_the_same_with_many_deliveries(cast, acme, client_for):
    from prm.webhooks import services as webhooks
    from prm.webhooks.models import Attempt

    endpoint = webhooks.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/budget", events=["partner.activated"]
    )
    admin = client_for(cast.vendor_admin)
    url = f"/settings/webhooks/{endpoint.pk}/"

    def deliveries(count: int) -> None:
        for n in range(count):
            [delivery] = webhooks.emit("partner.activated", {"slug": f"b{n}"})
            for code in (500, 502):
                Attempt.objects.create(delivery=delivery, at=delivery.created_at, status_code=code)

    deliveries(2)
    few = _queries(admin, url)
    deliveries(30)
    assert _queries(admin, url) == few
