"""Exchange rates: conversion at the rate valid on the day, editing and importing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reporting.analytics import services
from reporting.analytics.models import ExchangeRate


@pytest.fixture
def rates(acme):
    for day, rate in ((date(2026, 1, 1), "1.10"), (date(2026, 4, 1), "1.20")):
        ExchangeRate.objects.create(
            currency="EUR", quote_currency="USD", rate=Decimal(rate), valid_from=day
        )


def test_it_converts_at_the_rate_valid_on_the_day(rates):
    assert services.convert(Decimal("100"), "EUR", date(2026, 3, 31)) == Decimal("110.00")
    assert services.convert(Decimal("100"), "EUR", date(2026, 4, 1)) == Decimal("120.00")
    assert services.convert(Decimal("100"), "USD", date(2000, 1, 1)) == Decimal("100")
    assert services.convert(Decimal("100"), "EUR", date(2025, 12, 31)) is None
    assert services.convert(Decimal("100"), "VND", date(2026, 5, 1)) is None


def test_it_converts_summaries_at_each_invoice_dates_rate(cast, rates, sales, products):
    sales.add(cast.partner_b, date(2026, 3, 31), "SW-24", 1, "100", currency="EUR")
    sales.add(cast.partner_b, date(2026, 4, 1), "SW-24", 1, "100", currency="EUR")
    services.refresh_sales_summaries()
    from reporting.analytics.models import SalesMonth

    amounts = dict(SalesMonth.objects.values_list("month", "amount_reporting"))
    assert amounts == {date(2026, 3, 1): Decimal("110"), date(2026, 4, 1): Decimal("120")}


def test_it_lets_a_vendor_admin_add_a_rate(cast, client_for, acme):
    response = client_for(cast.vendor_admin).post(
        "/analytics/rates/new/", {"currency": "vnd", "rate": "0.00004", "valid_from": "2026-01-01"}
    )

    assert response.status_code == 302
    rate = ExchangeRate.objects.get(currency="VND")
    assert rate.quote_currency == "USD" and rate.updated_by == cast.vendor_admin


def test_it_refuses_a_rate_for_the_reporting_currency(cast, client_for, acme):
    response = client_for(cast.vendor_admin).post(
        "/analytics/rates/new/", {"currency": "USD", "rate": "1", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "reporting currency" in response.content.decode()


def test_it_does_not_let_a_cm_change_rates(cast, client_for, acme):
    response = client_for(cast.cm_a).post(
        "/analytics/rates/new/", {"currency": "EUR", "rate": "1", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 403
    assert not ExchangeRate.objects.exists()


def test_it_imports_rates_from_csv(cast, client_for, acme):
    csv = b"currency,rate,valid_from\nEUR,1.08,2026-01-01\nJPY,0.0067,2026-01-01\n"
    client_for(cast.vendor_admin).post(
        "/analytics/rates/import/", {"file": SimpleUploadedFile("rates.csv", csv)}
    )
    assert dict(ExchangeRate.objects.values_list("currency", "rate")) == {
        "EUR": Decimal("1.08"),
        "JPY": Decimal("0.0067"),
    }


def test_it_imports_nothing_when_a_line_is_wrong(cast, client_for, acme):
    csv = b"currency,rate,valid_from\nEUR,1.08,2026-01-01\nJPY,abc,2026-01-01\n"
    response = client_for(cast.vendor_admin).post(
        "/analytics/rates/import/", {"file": SimpleUploadedFile("rates.csv", csv)}, follow=True
    )
    assert not ExchangeRate.objects.exists()
    assert "line 3" in response.content.decode()


def test_it_edits_and_deletes_a_rate(cast, client_for, rates):
    client = client_for(cast.vendor_admin)
    rate = ExchangeRate.objects.get(valid_from=date(2026, 4, 1))
    client.post(
        f"/analytics/rates/{rate.pk}/",
        {"currency": "EUR", "rate": "1.25", "valid_from": "2026-04-01"},
    )
    rate.refresh_from_db()
    assert rate.rate == Decimal("1.25")
    client.post(f"/analytics/rates/{rate.pk}/delete/")
    assert not ExchangeRate.objects.filter(pk=rate.pk).exists()
