"""Partner scorecards: vendor staff see the partners in their scope; a partner admin sees
their own on the portal, never another partner's numbers (page, partial or export)."""

from datetime import UTC, date

import pytest

from reporting.analytics import services
from tests.analytics import figures

PERIOD = {"start": "2026-01", "end": "2026-06"}
START, END = date(2026, 1, 1), date(2026, 6, 1)


@pytest.fixture
def reported(cast, sales, products, eur_rate, deal):
    sales.add(cast.partner_a, date(2026, 1, 15), "SW-24", 2, "2400.00")
    sales.add(cast.partner_a, date(2026, 2, 15), "AP-7", 1, "450.00")
    sales.add(cast.partner_b, date(2026, 2, 20), "SW-48", 3, "777.77", currency="EUR")
    deal(
        cast.partner_b,
        cast.rep_b,
        "won",
        submitted=date(2026, 2, 1),
        decided_after_hours=5,
        final_amount="5",
        closed_on=date(2026, 3, 1),
    )
    services.refresh_sales_summaries()
    services.refresh_deal_summaries()
    return sales.written


def test_it_shows_a_partner_its_own_scorecard(cast, client_for, reported):
    response = client_for(cast.partner_a_admin).get("/analytics/my/", PERIOD)

    assert response.status_code == 200
    expected = figures.total(reported, START, END, partner_ids={cast.partner_a.pk})
    assert response.context["totals"].current == expected
    body = response.content.decode()
    assert figures.money(expected) in body
    assert "855.55" not in body  # partner B's 777.77 EUR
    assert response.context["pipeline"].registered == 0


def test_it_keeps_the_portal_partial_to_the_partners_own_numbers(cast, client_for, reported):
    response = client_for(cast.partner_b_admin).get(
        "/analytics/my/", PERIOD | {"partner": cast.partner_a.pk}, HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert "<html" not in body
    assert response.context["totals"].current == figures.total(
        reported, START, END, partner_ids={cast.partner_b.pk}
    )
    assert (
        figures.money(figures.total(reported, START, END, partner_ids={cast.partner_a.pk}))
        not in body
    )


def test_it_answers_404_for_another_partners_scorecard(cast, client_for, reported):
    assert client_for(cast.cm_b).get(f"/analytics/partners/{cast.partner_a.pk}/").status_code == 404
    assert (
        client_for(cast.partner_b_admin)
        .get(f"/analytics/partners/{cast.partner_a.pk}/")
        .status_code
        == 403
    )


def test_it_shows_the_cm_the_partners_scorecard_with_health(cast, client_for, reported):
    response = client_for(cast.cm_a).get(f"/analytics/partners/{cast.partner_a.pk}/", PERIOD)

    assert response.status_code == 200
    assert response.context["totals"].current == figures.total(
        reported, START, END, partner_ids={cast.partner_a.pk}
    )
    assert len(response.context["health"].months) == 12


def test_it_feeds_tier_progress_with_the_last_twelve_months(cast, sales, products):
    from django.utils import timezone

    from reporting.analytics.selectors import add_months, month_start, yearly_sales_source

    this_month = month_start(timezone.localdate())
    sales.add(cast.partner_a, add_months(this_month, -1), "SW-24", 1, "1000")
    sales.add(cast.partner_a, add_months(this_month, -13), "SW-24", 1, "5000")  # too old
    services.refresh_sales_summaries()

    since = add_months(this_month, -12)
    assert yearly_sales_source([cast.partner_a.pk], since) == {cast.partner_a.pk: 1000}


def test_it_tells_reported_late_and_missing_months_apart(cast, client_for, sales, products):
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from reporting.analytics import sources
    from reporting.analytics.selectors import add_months, month_start

    if sources.upload_model() is None:
        pytest.skip("needs the ingestion app's uploads")
    this_month = month_start(timezone.localdate())
    on_time, late = add_months(this_month, -3), add_months(this_month, -2)
    sales.add(cast.partner_a, on_time, "SW-24", 1, "100")
    early = datetime.combine(add_months(on_time, 1) + timedelta(days=3), time(9), tzinfo=UTC)
    upload = sales.uploads.pop(cast.partner_a.pk)
    type(upload).objects.filter(pk=upload.pk).update(created_at=early)
    sales.add(cast.partner_a, late, "SW-24", 1, "100")  # a new upload, arriving today
    services.refresh_sales_summaries()

    response = client_for(cast.cm_a).get(f"/analytics/partners/{cast.partner_a.pk}/")
    states = {m.month: m.state for m in response.context["health"].months}
    assert states[on_time] == "reported" and states[late] == "late"
    assert states[add_months(this_month, -1)] == "missing"
    assert "reported late" in response.content.decode()
