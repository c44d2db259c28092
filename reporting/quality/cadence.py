"""Reporting periods, due days and what each partner owes (pure date logic + two reads).

A period is a calendar month or an ISO week (Monday to Sunday). Its report is due a
number of business days (Monday to Friday; public holidays are not modelled) after the
period ends. A period counts as received when the first import with a line dated in it
finished, or when the partner declared that it sold nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from prm.core.extensions import registry
from prm.core.sql import one_of
from reporting.quality.models import Frequency, NothingSold, ReportingCadence

DEFAULT = ReportingCadence(frequency=Frequency.MONTHLY, due_business_days=10)


@dataclass(frozen=True)
class Period:
    frequency: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.frequency == Frequency.WEEKLY:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start:%Y-%m}"

    def next(self) -> Period:
        return period_of(self.frequency, self.end + dt.timedelta(days=1))

    def previous(self) -> Period:
        return period_of(self.frequency, self.start - dt.timedelta(days=1))


def period_of(frequency: str, day: dt.date) -> Period:
    if frequency == Frequency.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return Period(frequency, start, start + dt.timedelta(days=6))
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(Frequency.MONTHLY, start, following - dt.timedelta(days=1))


def parse_month(text: str) -> Period:
    """`YYYY-MM` -> that month (ValueError otherwise)."""
    return period_of(Frequency.MONTHLY, dt.datetime.strptime(text, "%Y-%m").date())


def add_business_days(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def due_date(period: Period, cadence: ReportingCadence) -> dt.date:
    return add_business_days(period.end, cadence.due_business_days)


def cadences_for(partners) -> dict[int, ReportingCadence]:
    """Each partner's cadence (its own, else the programme default); two queries."""
    ids = [partner.pk for partner in partners]
    own = {c.partner_id: c for c in ReportingCadence.objects.filter(partner_id__in=one_of(ids))}
    default = ReportingCadence.objects.filter(partner__isnull=True).first() or DEFAULT
    return {pk: own.get(pk, default) for pk in ids}


def programme_default() -> ReportingCadence:
    return ReportingCadence.objects.filter(partner__isnull=True).first() or DEFAULT


def _is_month(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start.month == end.month


def _earliest(found: dict, pairs) -> None:
    for partner_id, when in pairs:
        if when is not None and (found.get(partner_id) is None or when < found[partner_id]):
            found[partner_id] = when


def received_at(partner_ids: list[int], start: dt.date, end: dt.date) -> dict[int, dt.datetime]:
    """When each partner's report for [start, end] arrived: the earliest upload with a
    line (counted or held) dated in the range, or a nothing-sold declaration.

    A month is read from the monthly sales summary (a row per partner, month and
    currency) that analytics offers through the registry's month-reported sources, not
    from the raw lines: the CM's queue asks on every workspace page.
    """
    if not partner_ids:
        return {}
    from reporting.models import SalesLine, Upload
    from reporting.quality.models import HeldLine

    found: dict[int, dt.datetime] = {}
    summaries = registry.month_reported_sources() if _is_month(start, end) else []
    for source in summaries:
        _earliest(found, source(partner_ids, start).items())
    tables = [HeldLine._meta.db_table]
    if not summaries:
        tables.append(SalesLine._meta.db_table)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"""SELECT l.partner_id, min(u.created_at)
                      FROM {table} l JOIN {Upload._meta.db_table} u ON u.id = l.upload_id
                     WHERE l.partner_id = ANY(%(ids)s)
                       AND l.invoice_date BETWEEN %(lo)s AND %(hi)s
                     GROUP BY l.partner_id""",
                {"ids": partner_ids, "lo": start, "hi": end},
            )
            _earliest(found, cursor.fetchall())
    _earliest(
        found,
        NothingSold.objects.filter(
            partner_id__in=one_of(partner_ids), period_start__gte=start, period_start__lte=end
        ).values_list("partner_id", "declared_at"),
    )
    return found


@dataclass(frozen=True)
class Expected:
    """One period a partner owes a report for, and where it stands."""

    partner_id: int
    period: Period
    due: dt.date
    received: dt.datetime | None

    def late_days(self, today: dt.date) -> int:
        arrived = self.received.date() if self.received else today
        return max(0, (arrived - self.due).days)

    def overdue(self, today: dt.date) -> bool:
        return self.received is None and today > self.due


def _schedule(cadence, *, today: dt.date, look_back: int) -> list[tuple[Period, dt.date, bool]]:
    """The current period and the `look_back` before it, newest first, each with its due
    day and whether that day is at most `remind_days_before` days ahead."""
    horizon = today + dt.timedelta(days=cadence.remind_days_before)
    period = period_of(cadence.frequency, today)
    schedule = []
    for _ in range(look_back + 1):
        due = due_date(period, cadence)
        schedule.append((period, due, due <= horizon))
        period = period.previous()
    return schedule


def owed(partners, *, today: dt.date, look_back: int = 6) -> list[Expected]:
    """The last `look_back` periods each partner owes whose due day is at most a few
    days ahead (for reminders, the overdue queue and the calendar); periods that ended
    before the partner joined are not owed. A partner is anything with `pk` and
    `joined_on` (a Partner, or lighter rows for a queue of thousands)."""
    partners = list(partners)
    cadences = cadences_for(partners)
    wanted: dict[tuple[str, dt.date, dt.date], list] = {}
    # Partners of the same cadence owe the same periods by the same days: computed once
    # per cadence (the queue of a vendor admin asks for 5,000 partners on each page).
    schedules: dict[tuple, list[tuple[Period, dt.date, bool]]] = {}
    for partner in partners:
        cadence = cadences[partner.pk]
        key = (cadence.frequency, cadence.due_business_days, cadence.remind_days_before)
        if key not in schedules:
            schedules[key] = _schedule(cadence, today=today, look_back=look_back)
        for period, due, due_soon in schedules[key]:
            if period.end < partner.joined_on:
                break
            if due_soon:
                wanted.setdefault((period.frequency, period.start, period.end), []).append(
                    (partner, due)
                )
    found: list[Expected] = []
    for (frequency, start, end), entries in wanted.items():
        arrived = received_at([p.pk for p, _ in entries], start, end)
        for partner, due in entries:
            found.append(
                Expected(partner.pk, Period(frequency, start, end), due, arrived.get(partner.pk))
            )
    return found
