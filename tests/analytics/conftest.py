"""Analytics fixtures: raw sales lines, registrations with chosen dates, exchange rates.

Figures in the tests are computed here from the raw rows the test wrote, independently of
the summary tables the pages read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from deals.models import Deal, DealLine, Product
from reporting.analytics import sources
from reporting.analytics.models import ExchangeRate


@dataclass
class Line:
    partner_id: int
    invoice_date: date
    vendor_sku: str
    quantity: int
    amount: Decimal
    currency: str = "USD"
    end_customer: str = "Northwind Traders"
    country: str = "US"
    invoice_number: str = "INV-1"


@dataclass
class SalesLines:
    """Writes sales lines through the ingestion app's models (one upload per partner),
    as analytics reads them (sources.sales_lines())."""

    relation: sources.Relation
    written: list[Line] = field(default_factory=list)
    uploads: dict = field(default_factory=dict)

    def add(self, partner, day: date, sku: str, quantity: int, amount, **extra) -> Line:
        line = Line(partner.pk, day, sku, quantity, Decimal(str(amount)), **extra)
        self.insert([line])
        return line

    def insert(self, lines: list[Line]) -> None:
        self._insert_models(sources.sales_line_model(), lines)
        self.written.extend(lines)

    def _insert_models(self, model, lines: list[Line]) -> None:
        """Through the ingestion app's own models: one upload per partner."""
        upload_model = sources.upload_model()
        fields = sources.SALES_LINE_FIELDS
        rows = []
        for n, x in enumerate(lines, start=len(self.written) + 1):
            upload = self.uploads.get(x.partner_id)
            if upload is None:
                upload = self.uploads[x.partner_id] = upload_model.objects.create(
                    partner_id=x.partner_id,
                    original_name="report.csv",
                    file="reports/test.csv",
                    size=1,
                    sha256=f"{x.partner_id:032d}{len(self.written) + n:032d}",
                )
            rows.append(
                model(
                    **{
                        "upload": upload,
                        f"{fields['partner']}_id": x.partner_id,
                        fields["invoice_number"]: x.invoice_number,
                        fields["invoice_date"]: x.invoice_date,
                        fields["end_customer"]: x.end_customer,
                        fields["end_customer_country"]: x.country,
                        fields["vendor_sku"]: x.vendor_sku,
                        fields["quantity"]: x.quantity,
                        fields["amount"]: x.amount,
                        fields["currency"]: x.currency,
                        "unit_price": (x.amount / x.quantity) if x.quantity else x.amount,
                        "source_row": n,
                        "transaction_type": "return" if x.quantity < 0 else "sale",
                    }
                )
            )
        model.objects.bulk_create(rows)


@pytest.fixture
def sales(acme) -> SalesLines:
    return SalesLines(sources.sales_lines())


@pytest.fixture
def filler_partners(cast, acme) -> None:
    """Enough partners of CM A (Filler Reseller 000, ...) that the analytics pages' partner
    filter becomes a text field instead of a select."""
    from partners.models import Partner
    from reporting.analytics.forms import MAX_PARTNER_CHOICES

    Partner.objects.bulk_create(
        Partner(
            name=f"Filler Reseller {n:03d}",
            slug=f"filler-{n:03d}",
            country="US",
            channel_manager=cast.cm_a,
        )
        for n in range(MAX_PARTNER_CHOICES)
    )


@pytest.fixture
def products(acme) -> dict[str, Product]:
    rows = [
        ("SW-24", "Switch 24", "1200"),
        ("SW-48", "Switch 48", "2100"),
        ("AP-7", "Access point", "450"),
    ]
    return {
        sku: Product.objects.create(vendor_sku=sku, name=name, list_price=Decimal(price))
        for sku, name, price in rows
    }


@pytest.fixture
def eur_rate(acme) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency="EUR", quote_currency="USD", rate=Decimal("1.10"), valid_from=date(2020, 1, 1)
    )


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def deal(products):
    """`deal(partner, registered_by, status, submitted=date, ...)` -> Deal written directly
    (the services are tested by the deals app; here dates and statuses must be exact)."""

    def make(
        partner,
        user,
        status,
        *,
        submitted: date,
        decided_after_hours: int | None = None,
        value="1000",
        currency="USD",
        customer="Blue Harbor Logistics",
        skus=("SW-24",),
        final_amount=None,
        closed_on=None,
        protected_days=90,
    ):
        decided = (
            None
            if decided_after_hours is None
            else (at(submitted) + timedelta(hours=decided_after_hours))
        )
        approved_family = status in ("approved", "won", "lost", "expired")
        deal = Deal(
            partner=partner,
            registered_by=user,
            status=status,
            customer_name=customer,
            customer_country="US",
            expected_value=Decimal(value),
            currency=currency,
            submitted_at=at(submitted),
            decided_at=decided,
            protected_until=(decided.date() + timedelta(days=protected_days))
            if approved_family and decided
            else None,
            final_amount=Decimal(final_amount) if final_amount is not None else None,
            closed_on=closed_on,
        )
        deal.refresh_matching_keys()
        deal.save()
        for sku in skus:
            DealLine.objects.create(
                deal=deal, product=products[sku], quantity=1, unit_price=Decimal(value)
            )
        return deal

    return make
