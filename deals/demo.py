"""Demo catalogue, direct accounts and deal registrations (a demo seeder, see DealsConfig).

Idempotent: products by SKU, accounts by name, deals by (partner, customer). The deals go
through the real services, so the demo shows real conflicts: Northwind and Lone Star both
registered Blue Harbor Logistics (spelled differently, same domain), Northwind's Redwood
Credit Union is one of the vendor's direct accounts, and Saigon's Minh Phát is approved.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from deals import services
from deals.models import Deal, DirectAccount, Product
from partners.models import Partner
from prm.accounts.models import User

#: The catalogue the sample partner reports (reporting/demo_reports) refer to
#: (vendor_sku, name, price).
CATALOGUE = (
    ("AN-SW-24P", "Switch 24-port PoE", "1290.00"),
    ("AN-SW-48P", "Switch 48-port PoE", "2390.00"),
    ("AN-AP-6E", "Access point Wi-Fi 6E", "489.00"),
    ("AN-AP-7", "Access point Wi-Fi 7", "729.00"),
    ("AN-FW-100", "Firewall 100", "1850.00"),
    ("AN-FW-500", "Firewall 500", "6400.00"),
    ("AN-RT-EDGE", "Edge router", "980.00"),
    ("AN-LIC-SEC1Y", "Security licence 1 year", "210.00"),
    ("AN-LIC-SEC3Y", "Security licence 3 years", "540.00"),
    ("AN-SFP-10G", "SFP+ 10G module", "59.90"),
    ("AN-CBL-DAC3", "DAC cable 3 m", "24.50"),
    ("AN-SUP-NBD", "Next-business-day support", "175.00"),
)

DIRECT_ACCOUNTS = (
    ("Redwood Credit Union", "redwoodcu.org", "US"),
    ("Klinikum Süd", "klinikum-sued.de", "DE"),
)

# partner slug, rep e-mail, customer, domain, country, {sku: qty}, what happens after submit
DEMO_DEALS = (
    (
        "northwind",
        "rep@northwind.example",
        "Blue Harbor Logistics Inc.",
        "blue-harbor.com",
        "US",
        {"AN-FW-500": 3, "AN-FW-100": 10},
        "submitted",
    ),
    (
        "lonestar",
        "rep@lonestar.example",
        "blue harbour logistics",
        "https://www.blue-harbor.com/contact",
        "US",
        {"AN-FW-500": 2, "AN-LIC-SEC3Y": 10},
        "submitted",
    ),
    (
        "northwind",
        "rep@northwind.example",
        "Redwood Credit Union",
        "it@redwoodcu.org",
        "US",
        {"AN-SW-48P": 4},
        "submitted",
    ),
    (
        "saigon",
        "rep@saigon.example",
        "Công ty TNHH Minh Phát",
        "minhphat.com.vn",
        "VN",
        {"AN-SW-24P": 6, "AN-AP-6E": 12},
        "approved",
    ),
    (
        "mueller",
        "rep@mueller.example",
        "Müller Maschinenbau GmbH",
        "mueller-maschinenbau.de",
        "DE",
        {"AN-RT-EDGE": 2, "AN-SUP-NBD": 2},
        "draft",
    ),
)


def seed(vendor) -> None:
    currency = vendor.reporting_currency
    for sku, name, price in CATALOGUE:
        Product.objects.get_or_create(
            vendor_sku=sku,
            defaults={"name": name, "list_price": Decimal(price), "currency": currency},
        )
    for name, domain, country in DIRECT_ACCOUNTS:
        if not DirectAccount.objects.filter(customer_name=name).exists():
            DirectAccount.objects.create(
                customer_name=name, customer_domain=domain, customer_country=country
            )
    for slug, email, customer, domain, country, quantities, outcome in DEMO_DEALS:
        partner = Partner.objects.filter(slug=slug).first()
        rep = User.objects.filter(email=email, is_active=True).first()
        if partner is None or rep is None:
            continue  # another demo vendor: catalogue only
        if Deal.objects.filter(partner=partner, customer_name=customer).exists():
            continue
        _register(partner, rep, customer, domain, country, quantities, outcome)


def _register(partner, rep, customer, domain, country, quantities, outcome) -> None:
    products = {product.vendor_sku: product for product in Product.objects.all()}
    deal = services.deal_create(
        user=rep,
        data=services.DealInput(
            customer_name=customer,
            customer_domain=domain,
            customer_country=country,
            contact_name="Demo Buyer",
            expected_close_date=timezone.localdate() + timedelta(days=75),
        ),
        lines=[
            services.LineInput(product_id=products[sku].pk, quantity=quantity)
            for sku, quantity in quantities.items()
        ],
    )
    if outcome == "draft":
        return
    deal = services.deal_submit(user=rep, deal_id=deal.pk, expected_version=deal.version)
    if outcome == "approved" and partner.channel_manager is not None:
        services.deal_approve(
            user=partner.channel_manager, deal_id=deal.pk, expected_version=deal.version
        )
