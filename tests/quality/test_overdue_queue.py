"""The overdue-reports queue of a vendor admin, recomputed from the raw inputs: each active
partner's cadence, the day it joined and its nothing-sold declarations, counted with plain
calendar arithmetic instead of the cadence module."""

import datetime as dt

from django.utils import timezone

from partners.models import Partner, PartnerStatus
from reporting.quality.models import Frequency, NothingSold, ReportingCadence
from reporting.quality.selectors import overdue_reports
from reporting.quality.services import nothing_sold_declare


def _plus_business_days(day: dt.date, count: int) -> dt.date:
    while count:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def _periods(frequency: str, today: dt.date, how_many: int) -> list[tuple[dt.date, dt.date]]:
    """The period holding `today` and the ones before it, newest first."""
    periods = []
    if frequency == Frequency.WEEKLY:
        monday = today - dt.timedelta(days=today.weekday())
        for back in range(how_many):
            start = monday - dt.timedelta(weeks=back)
            periods.append((start, start + dt.timedelta(days=6)))
        return periods
    year, month = today.year, today.month
    for _ in range(how_many):
        start = dt.date(year, month, 1)
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
        periods.append((start, dt.date(year, month, 1) - dt.timedelta(days=1)))
        year, month = (start.year, start.month - 1) if start.month > 1 else (start.year - 1, 12)
    return periods


def _label(frequency: str, start: dt.date) -> str:
    if frequency == Frequency.WEEKLY:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start:%Y-%m}"


def test_the_admin_queue_lists_every_period_past_due_with_no_report(acme, cast):
    today = timezone.localdate()
    long_ago = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    Partner.objects.filter(pk__in=[cast.partner_a.pk, cast.partner_b.pk]).update(
        created_at=long_ago, status=PartnerStatus.ACTIVE
    )
    ReportingCadence.objects.create(
        partner=cast.partner_b, frequency=Frequency.WEEKLY, due_business_days=3
    )
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    two_months_ago = (last_month - dt.timedelta(days=1)).replace(day=1)
    nothing_sold_declare(
        user=cast.partner_a_admin, partner=cast.partner_a, period_start=two_months_ago
    )

    expected = set()
    for partner in Partner.objects.filter(status=PartnerStatus.ACTIVE):
        own = ReportingCadence.objects.filter(partner=partner).first()
        frequency = own.frequency if own else Frequency.MONTHLY
        due_days = own.due_business_days if own else 10
        declared = set(
            NothingSold.objects.filter(partner=partner).values_list("period_start", flat=True)
        )
        for start, end in _periods(frequency, today, 7):
            if end < partner.created_at.date():
                break
            if today > _plus_business_days(end, due_days) and start not in declared:
                expected.add(f"{partner.name}: {_label(frequency, start)}")

    items, total = overdue_reports(cast.vendor_admin, limit=1000)

    assert {item.title for item in items} == expected
    assert total == len(expected)
    assert f"{cast.partner_a.name}: {two_months_ago:%Y-%m}" not in expected, "declared"
    assert any(cast.partner_b.name in title and "-W" in title for title in expected)
    waiting = [item.waiting_since for item in items]
    assert waiting == sorted(waiting), "oldest due first"
    assert items[:3] == overdue_reports(cast.vendor_admin, limit=3)[0]
