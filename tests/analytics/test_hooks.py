"""How analytics shows up in other apps: the partner page, the CM's queue, tier progress."""

from datetime import date

import pytest

from reporting.analytics import services
from reporting.analytics.models import FindingKind, ReconciliationFinding


def test_it_adds_a_scorecard_summary_to_the_partner_page(cast, client_for, sales, products):
    from django.utils import timezone

    sales.add(cast.partner_a, timezone.localdate().replace(day=1), "SW-24", 1, "4321.00")
    services.refresh_sales_summaries()

    body = client_for(cast.cm_a).get(f"/partners/{cast.partner_a.pk}/").content.decode()
    assert "4,321.00" in body and f"/analytics/partners/{cast.partner_a.pk}/" in body


def test_it_queues_open_conflicts_for_the_partners_cm(cast, acme):
    queue = pytest.importorskip("channels.queue")
    ReconciliationFinding.objects.create(
        kind=FindingKind.CONFLICT,
        partner=cast.partner_b,
        customer_key="x",
        end_customer="Queue Hotel",
    )
    ReconciliationFinding.objects.create(
        kind=FindingKind.UNREGISTERED,
        partner=cast.partner_b,
        customer_key="y",
        end_customer="Not Queued",
    )

    titles = [item.title for item in queue.work_queue(cast.cm_b)]
    assert "Queue Hotel" in titles and "Not Queued" not in titles
    assert "Queue Hotel" not in [item.title for item in queue.work_queue(cast.cm_a)]


def test_it_is_a_yearly_sales_source_for_tier_progress(cast, sales, products):
    tiers = pytest.importorskip("partners.tiers")
    from django.utils import timezone

    from reporting.analytics.selectors import add_months, month_start

    sales.add(
        cast.partner_a, add_months(month_start(timezone.localdate()), -2), "SW-24", 1, "777.00"
    )
    services.refresh_sales_summaries()
    assert tiers.yearly_sales([cast.partner_a.pk]) == {cast.partner_a.pk: 777}


def test_it_seeds_demo_rates_and_summaries(cast, acme):
    from reporting.analytics import demo
    from reporting.analytics.models import ExchangeRate, SummaryRefresh

    demo.seed(cast.acme)
    demo.seed(cast.acme)  # idempotent

    assert ExchangeRate.objects.filter(currency="EUR", quote_currency="USD").count() == 1
    assert set(SummaryRefresh.objects.values_list("name", flat=True)) == {"sales", "deals"}
    assert date(2026, 1, 1) in set(ExchangeRate.objects.values_list("valid_from", flat=True))
