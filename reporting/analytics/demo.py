"""Demo data of analytics: exchange rates, registrations that reconcile with the sample
reports, and fresh summaries. Idempotent (rates by currency and day, deals by partner and
customer); runs after the report seeder so the summaries include the imported lines.

The sample reports (September 2026) give, once imported: Northwind's approved
registration of Harbor View Hotels matched by its sales (and Lone Star's edge routers for
the same hotel a channel conflict), Müller's registration of Hafenlogistik Bremen matched,
a deal Lone Star closed as won with nothing reported, and many sales with no registration.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from reporting.analytics import services
from reporting.analytics.models import ExchangeRate

#: 1 unit of the currency in USD (the demo vendors report in USD), from 2026-01-01.
DEMO_RATES = {"EUR": "1.08", "GBP": "1.27", "VND": "0.0000395", "JPY": "0.0067"}
RATES_FROM = date(2026, 1, 1)
REGISTERED_ON = date(2026, 8, 20)

# partner slug, customer, {sku: quantity}, outcome
DEMO_CLAIMS = (
    ("northwind", "Harbor View Hotels", {"AN-LIC-SEC3Y": 10, "AN-RT-EDGE": 2}, "approved"),
    ("mueller", "Hafenlogistik Bremen GmbH", {"AN-RT-EDGE": 20}, "approved"),
    ("lonestar", "Alamo Veterinary Clinics", {"AN-AP-7": 8}, "won"),
)


def seed(vendor) -> None:
    seed_rates(vendor)
    _seed_claims()
    services.refresh_all(partner_ids=None)


def seed_rates(vendor) -> None:
    """The demo rates (idempotent); seeded before the deals, which are priced with them."""
    for currency, rate in DEMO_RATES.items():
        if currency == vendor.reporting_currency:
            continue
        ExchangeRate.objects.get_or_create(
            currency=currency,
            quote_currency=vendor.reporting_currency,
            valid_from=RATES_FROM,
            defaults={"rate": Decimal(rate)},
        )


def _seed_claims() -> None:
    """Registrations made "in August" through the deal services, then dated back so the
    September invoices fall inside their protection period."""
    from deals import services as deals
    from deals.models import Deal, Product
    from partners.models import Partner
    from prm.accounts.models import Role

    for slug, customer, quantities, outcome in DEMO_CLAIMS:
        partner = Partner.objects.filter(slug=slug).select_related("channel_manager").first()
        if partner is None or partner.channel_manager is None:
            continue
        if Deal.objects.filter(partner=partner, customer_name=customer).exists():
            continue
        rep = partner.memberships.filter(user__role=Role.PARTNER_REP).first()
        products = dict(
            Product.objects.filter(vendor_sku__in=quantities).values_list("vendor_sku", "pk")
        )
        if rep is None or len(products) != len(quantities):
            continue
        deal = deals.deal_create(
            user=rep.user,
            data=deals.DealInput(customer_name=customer, customer_country=partner.country),
            lines=[
                deals.LineInput(product_id=products[sku], quantity=qty)
                for sku, qty in quantities.items()
            ],
        )
        deal = deals.deal_submit(user=rep.user, deal_id=deal.pk, expected_version=deal.version)
        deal = deals.deal_approve(
            user=partner.channel_manager, deal_id=deal.pk, expected_version=deal.version
        )
        if outcome == "won":
            deal = deals.deal_close_won(
                user=rep.user,
                deal_id=deal.pk,
                expected_version=deal.version,
                final_amount=Decimal("5832.00"),
                closed_on=date(2026, 9, 15),
            )
        submitted = datetime.combine(REGISTERED_ON, time(9), tzinfo=UTC)
        Deal.objects.filter(pk=deal.pk).update(
            submitted_at=submitted,
            decided_at=submitted + timedelta(hours=20),
            protected_until=REGISTERED_ON + timedelta(days=90),
        )
