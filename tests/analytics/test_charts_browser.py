"""Charts in a real browser: drawn from the vendored Chart.js under the CSP (no inline
script), redrawn after an htmx filter change, and every chart has its table."""

import re
import uuid
from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def committed_sales(cast, django_db_blocker):
    """A partner of cm_a with committed lines and summaries (the live server must see them)."""
    from partners.models import Partner
    from reporting.analytics import services, sources

    model, uploads = sources.sales_line_model(), sources.upload_model()
    if model is None or uploads is None:
        pytest.skip("needs the ingestion app's sales lines")
    from deals.models import Product

    slug = f"charts-{uuid.uuid4().hex[:8]}"
    skus = [f"CHART-{slug}-{n}" for n in range(3)]
    with django_db_blocker.unblock(), schema_context("acme"):
        for sku in skus:
            Product.objects.create(vendor_sku=sku, name=f"Chart product {sku}", list_price=1)
        partner = Partner.objects.create(
            name=f"Chart Partner {slug}", slug=slug, country="US", channel_manager=cast.cm_a
        )
        upload = uploads.objects.create(
            partner=partner,
            original_name="r.csv",
            file="r.csv",
            size=1,
            sha256=uuid.uuid4().hex * 2,
        )
        model.objects.bulk_create(
            [
                model(
                    upload=upload,
                    partner=partner,
                    invoice_number=f"C-{month}",
                    invoice_date=date(2026, month, 5),
                    end_customer="Chart Customer",
                    end_customer_country="US",
                    vendor_sku=skus[month % 3],
                    quantity=month,
                    unit_price=100,
                    amount=100 * month,
                    currency="USD",
                    source_row=month,
                    transaction_type="sale",
                )
                for month in range(1, 7)
            ]
        )
        services.refresh_sales_summaries(partner_ids=[partner.pk])
    yield partner, skus
    with django_db_blocker.unblock(), schema_context("acme"):
        model.objects.filter(partner=partner).delete()
        services.refresh_sales_summaries(partner_ids=[partner.pk])  # and the tenant rollups
        uploads.objects.filter(partner=partner).delete()
        partner.delete()
        Product.objects.filter(vendor_sku__in=skus).delete()
        # Playwright's sync API runs in greenlets, which Django may give a connection of
        # their own: close it, or dropping the test database finds it still open.
        connection.close()


def test_it_draws_the_charts_and_redraws_them_after_filtering(
    cast, page, login_in_browser, committed_sales
):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    base = login_in_browser(page, cast.cm_a.email)

    page.goto(f"{base}/analytics/?start=2026-01&end=2026-06")
    months = page.locator('canvas[data-chart="chart-months"]')
    expect(months).to_have_attribute("data-ready", "1")
    expect(page.locator('canvas[data-chart="chart-products"]')).to_have_attribute("data-ready", "1")
    page.get_by_text("Table", exact=True).first.click()
    expect(page.get_by_test_id("month-amount").first).to_have_text("100.00")

    _partner, skus = committed_sales
    page.locator("#id_product").select_option(skus[1])
    expect(page).to_have_url(re.compile(f"product={skus[1]}"))
    expect(page.locator('canvas[data-chart="chart-months"]')).to_have_attribute("data-ready", "1")
    expect(page.get_by_test_id("product-amount")).to_have_count(1)
    assert not [p for p in problems if "Content Security Policy" in p or "Chart" in p], problems
