"""Deal pipeline figures (status and value, approval rate, time to decision, win rate)
equal figures computed from the registrations themselves."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from reporting.analytics import services

PERIOD = {"start": "2026-01", "end": "2026-06"}


@pytest.fixture
def registered(cast, deal, eur_rate):
    a, b = cast.partner_a, cast.partner_b
    deals = [
        deal(a, cast.rep_a1, "submitted", submitted=date(2026, 1, 5), value="1000"),
        deal(
            a,
            cast.rep_a1,
            "approved",
            submitted=date(2026, 1, 6),
            decided_after_hours=24,
            value="2000",
        ),
        deal(
            a,
            cast.rep_a2,
            "won",
            submitted=date(2026, 2, 1),
            decided_after_hours=48,
            value="3000",
            final_amount="2800",
            closed_on=date(2026, 4, 1),
        ),
        deal(
            a,
            cast.rep_a2,
            "lost",
            submitted=date(2026, 2, 2),
            decided_after_hours=72,
            value="500",
            closed_on=date(2026, 3, 1),
        ),
        deal(
            a,
            cast.rep_a1,
            "rejected",
            submitted=date(2026, 3, 3),
            decided_after_hours=12,
            value="700",
        ),
        deal(
            a,
            cast.rep_a1,
            "won",
            submitted=date(2025, 3, 3),
            decided_after_hours=1,
            value="9999",
            final_amount="9999",
            closed_on=date(2025, 6, 1),
        ),  # outside
        deal(
            b,
            cast.rep_b,
            "won",
            submitted=date(2026, 5, 1),
            decided_after_hours=96,
            value="1000",
            currency="EUR",
            final_amount="1000",
            closed_on=date(2026, 6, 1),
        ),
        deal(
            b,
            cast.rep_b,
            "rejected",
            submitted=date(2026, 5, 2),
            decided_after_hours=24,
            value="400",
            currency="EUR",
        ),
        deal(b, cast.rep_b, "draft", submitted=date(2026, 5, 3), value="100"),
    ]
    services.refresh_deal_summaries()
    return deals


def expected(deals, partner_ids):
    rates = {"USD": Decimal(1), "EUR": Decimal("1.10")}
    chosen = [
        d
        for d in deals
        if d.partner_id in partner_ids
        and d.status != "draft"
        and date(2026, 1, 1) <= d.submitted_at.date() <= date(2026, 6, 30)
    ]
    approved = [d for d in chosen if d.status in ("approved", "won", "lost", "expired")]
    rejected = [d for d in chosen if d.status == "rejected"]
    won = [d for d in chosen if d.status == "won"]
    lost = [d for d in chosen if d.status == "lost"]
    decided = [d for d in chosen if d.decided_at]
    seconds = sum((d.decided_at - d.submitted_at for d in decided), timedelta()).total_seconds()
    return {
        "registered": len(chosen),
        "approval_rate": (Decimal(len(approved)) * 100 / (len(approved) + len(rejected))).quantize(
            Decimal("0.1")
        ),
        "win_rate": (Decimal(len(won)) * 100 / (len(won) + len(lost))).quantize(Decimal("0.1")),
        "decision_days": (Decimal(seconds) / len(decided) / 86400).quantize(Decimal("0.1")),
        "won_value": sum(d.final_amount * rates[d.currency] for d in won),
        "by_status": {
            s: sum(1 for d in chosen if d.status == s) for s in {d.status for d in chosen}
        },
    }


def actual(pipeline):
    return {
        "registered": pipeline.registered,
        "approval_rate": pipeline.approval_rate,
        "win_rate": pipeline.win_rate,
        "decision_days": pipeline.decision_days,
        "won_value": pipeline.won_value,
        "by_status": {row.status: row.count for row in pipeline.statuses},
    }


def test_it_shows_pipeline_figures_equal_to_the_registrations(cast, client_for, registered):
    response = client_for(cast.vendor_admin).get("/analytics/", PERIOD)

    ids = {cast.partner_a.pk, cast.partner_b.pk}
    assert actual(response.context["pipeline"]) == expected(registered, ids)


def test_it_shows_a_cm_the_pipeline_of_their_partners_only(cast, client_for, registered):
    response = client_for(cast.cm_b).get("/analytics/", PERIOD)

    assert actual(response.context["pipeline"]) == expected(registered, {cast.partner_b.pk})


def test_it_rebuilds_a_partners_deal_summary_after_a_deal_changes(cast, deal, registered):
    from reporting.analytics.models import DealMonth

    deal(cast.partner_a, cast.rep_a1, "submitted", submitted=date(2026, 6, 9))
    services.refresh_deal_summaries(partner_ids=[cast.partner_a.pk])

    rows = DealMonth.objects.filter(partner=cast.partner_a, month=date(2026, 6, 1))
    assert sum(row.deal_count for row in rows) == 1
    assert DealMonth.objects.filter(partner=cast.partner_b).exists()  # left alone


def test_it_queues_a_refresh_when_a_deal_event_is_recorded(
    cast, products, django_capture_on_commit_callbacks, monkeypatch
):
    from deals import services as deal_services
    from reporting.analytics import tasks

    queued = []
    monkeypatch.setattr(tasks.refresh_summaries, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        deal_services.deal_create(
            user=cast.rep_a1,
            data=deal_services.DealInput(customer_name="Queue Test Ltd"),
            lines=[deal_services.LineInput(product_id=products["SW-24"].pk, quantity=1)],
        )
    assert {"partner_ids": [cast.partner_a.pk], "sales": False, "deals": True} in queued
