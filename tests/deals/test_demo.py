"""The demo shows deal registration at work: a conflicting pair, an approval, a draft."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.management import call_command
from django_tenants.utils import schema_context

from deals.demo import DEMO_DEALS
from deals.models import Deal, DealConflict, DealStatus, Product
from prm.accounts.models import User


def test_it_seeds_a_conflicting_pair_once(cast, db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    with schema_context("acme"):
        lonestar = Deal.objects.get(
            partner__slug="lonestar", customer_name="blue harbour logistics"
        )
        conflict = DealConflict.objects.get(deal=lonestar)
        assert conflict.other_deal.partner.slug == "northwind"
        assert conflict.score >= 75
        minh_phat = Deal.objects.get(partner__slug="saigon", customer_name="Công ty TNHH Minh Phát")
        assert minh_phat.status == DealStatus.APPROVED
        assert DealConflict.objects.filter(
            deal__customer_name="Redwood Credit Union", direct_account__isnull=False
        ).exists()
        demo_customers = [customer for _slug, _rep, customer, *_rest in DEMO_DEALS]
        assert Deal.objects.filter(customer_name__in=demo_customers).count() == 5
        assert Product.objects.filter(vendor_sku="AN-FW-500").exists()
    with schema_context("globex"):
        assert Product.objects.count() == 12
        assert not Deal.objects.filter(customer_name="blue harbour logistics").exists()


def test_it_prices_the_demo_deals_in_each_partners_currency(cast, db, client_for):
    """Saigon registered 6 x AN-SW-24P (USD 1,290) and 12 x AN-AP-6E (USD 489): about
    USD 13,608, in dong at the demo's 1 VND = 0.0000395 USD; Müller's deals are in euros
    at 1 EUR = 1.08 USD. Figures from those raw numbers, not from the app's."""
    call_command("seed_demo", verbosity=0)

    def whole(amount):
        return amount.quantize(Decimal(1), ROUND_HALF_UP)

    with schema_context("acme"):
        minh_phat = Deal.objects.get(partner__slug="saigon", customer_name="Công ty TNHH Minh Phát")
        dong = 6 * whole(Decimal(1290) / Decimal("0.0000395")) + 12 * whole(
            Decimal(489) / Decimal("0.0000395")
        )
        assert (minh_phat.currency, minh_phat.expected_value) == ("VND", dong)
        assert abs(minh_phat.expected_value - 345_000_000) < 1_000_000
        mueller = Deal.objects.get(customer_name="Müller Maschinenbau GmbH")
        euros = sum(
            quantity * (Decimal(price) / Decimal("1.08")).quantize(Decimal("0.01"), ROUND_HALF_UP)
            for price, quantity in (("980", 2), ("175", 2))
        )
        assert (mueller.currency, mueller.expected_value) == ("EUR", euros)
        cm = User.objects.get(email="cm2@acme.example")
        saigon = minh_phat.partner

    response = client_for(cm, tenant=cast.acme).get("/analytics/", {"partner": saigon.pk})

    open_value = response.context["pipeline"].open_value
    assert abs(open_value - Decimal("13608")) < Decimal("0.01")
    assert "13,608.00" in response.content.decode()
