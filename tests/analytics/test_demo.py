"""The demo: after the sample reports are in, a CM finds each kind of reconciliation result."""

import csv
from datetime import date
from decimal import Decimal

import pytest

from deals.models import Product
from partners.memberships import partner_user_create
from partners.models import Partner
from prm.accounts.models import Role
from reporting.analytics import demo
from reporting.analytics.models import FindingKind, ReconciliationFinding
from tests.analytics.conftest import Line
from tests.ingest.support import SAMPLES


@pytest.fixture
def demo_partners(cast, acme):
    for sku, name, price, _currency in csv.reader(
        (SAMPLES / "products.csv").read_text().splitlines()[1:]
    ):
        Product.objects.get_or_create(
            vendor_sku=sku, defaults={"name": name, "list_price": Decimal(price)}
        )
    partners = {}
    for slug, country in (
        ("northwind", "US"),
        ("mueller", "DE"),
        ("lonestar", "US"),
        ("saigon", "VN"),
    ):
        partners[slug] = Partner.objects.create(
            name=slug.title(), slug=slug, country=country, channel_manager=cast.cm_a
        )
        partner_user_create(
            email=f"rep@{slug}.test",
            password="x-demo-pass-2026",
            role=Role.PARTNER_REP,
            full_name="Rep",
            partner=partners[slug],
        )
    return partners


def test_it_gives_the_demo_cm_one_finding_of_each_kind(cast, client_for, sales, demo_partners):
    if not (SAMPLES / "expected").exists():
        pytest.skip("sample reports not available")
    lines = []
    for path in sorted((SAMPLES / "expected").glob("*.csv")):
        for row in csv.DictReader(path.open(encoding="utf-8")):
            lines.append(
                Line(
                    demo_partners[row["partner"]].pk,
                    date.fromisoformat(row["invoice_date"]),
                    row["vendor_sku"],
                    int(row["quantity"]),
                    Decimal(row["amount"]),
                    row["currency"],
                    row["end_customer"],
                    row["end_customer_country"],
                    row["invoice_number"],
                )
            )
    sales.insert(lines)

    demo.seed(cast.acme)

    kinds = set(ReconciliationFinding.objects.values_list("kind", flat=True))
    assert kinds == set(FindingKind.values)
    page = client_for(cast.cm_a).get("/analytics/reconciliation/").content.decode()
    assert "Harbor View Hotels" in page and "Alamo Veterinary Clinics" in page
    dashboard = client_for(cast.cm_a).get("/analytics/", {"start": "2026-09", "end": "2026-09"})
    assert dashboard.context["totals"].current > 0
    assert dashboard.context["totals"].unconverted_lines == 0  # EUR and VND have rates
