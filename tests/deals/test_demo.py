"""The demo shows deal registration at work: a conflicting pair, an approval, a draft."""

from django.core.management import call_command
from django_tenants.utils import schema_context

from deals.demo import DEMO_DEALS
from deals.models import Deal, DealConflict, DealStatus, Product


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
