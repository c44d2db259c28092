"""Reads of channel data quality, each starting from the acting user's scope
(`partners.selectors.restrict_to_partners`): tenants and partners never see each other's
reports, scores or reminders."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus
from partners.selectors import partners_visible_to, restrict_to_partners
from reporting.quality import cadence as cadences
from reporting.quality.models import CustomerName, HeldLine, LinkStatus, PartnerPeriodQuality


def held_lines_of(upload) -> QuerySet[HeldLine]:
    """The duplicates held from an upload the caller already fetched through the scope."""
    return upload.held_lines.order_by("source_row", "pk")


def calendar_for(user, partner: Partner, *, today: dt.date | None = None) -> list[dict]:
    """Expected vs received periods of one partner (already fetched through the scope)."""
    today = today or timezone.localdate()
    if not partners_visible_to(user).filter(pk=partner.pk).exists():
        return []
    rows = []
    for expected in sorted(
        cadences.owed([partner], today=today), key=lambda e: e.period.start, reverse=True
    ):
        rows.append(
            {
                "period": expected.period.label,
                "start": expected.period.start,
                "due": expected.due,
                "received": expected.received,
                "late_days": expected.late_days(today),
                "overdue": expected.overdue(today),
            }
        )
    return rows


class _OwingPartner(NamedTuple):
    """What `cadences.owed` needs of a partner (its id and join day), and its name."""

    pk: int
    name: str
    joined_on: dt.date


def overdue_reports(user, *, limit: int = 20):
    """Work-queue source: reports past their due day that have not arrived, for the
    CM of each partner (vendor admins see every partner's)."""
    from prm.core.extensions import QueueItem

    if not (user.is_authenticated and user.is_vendor_staff):
        return [], 0
    today = timezone.localdate()
    # Only what `owed` and the titles read, as plain tuples: a vendor admin's queue covers
    # every partner (5,000 in the bench), and building full Partner objects was most of
    # this source's time on each workspace page. The join day comes as a date (the same
    # UTC day as `Partner.joined_on`): parsing 5,000 timestamps cost 15 ms of CPU more.
    partners = [
        _OwingPartner(*row)
        for row in partners_visible_to(user)
        .filter(status=PartnerStatus.ACTIVE)
        .annotate(joined=TruncDate("created_at", tzinfo=dt.UTC))
        .values_list("pk", "name", "joined")
    ]
    overdue = [e for e in cadences.owed(partners, today=today) if e.overdue(today)]
    overdue.sort(key=lambda e: e.due)
    names = {p.pk: p.name for p in partners}
    items = [
        QueueItem(
            kind=_("Overdue report"),
            title=f"{names[e.partner_id]}: {e.period.label}",
            url=reverse("partners:detail", kwargs={"pk": e.partner_id}),
            waiting_since=timezone.make_aware(dt.datetime.combine(e.due, dt.time.min)),
            detail=_("%(days)d days overdue") % {"days": e.late_days(today)},
        )
        for e in overdue[:limit]
    ]
    return items, len(overdue)


def customers_to_review(user, *, limit: int = 20):
    """Work-queue source: customer spellings in the grey zone, for vendor staff."""
    from prm.core.extensions import QueueItem

    if not (user.is_authenticated and user.is_vendor_staff):
        return [], 0
    waiting = spellings_to_review(user)
    total = waiting.count()
    if not limit or not total:
        return [], total
    url = reverse("quality:customer_review")
    items = [
        QueueItem(
            kind=_("Customer"),
            title=name.name,
            url=url,
            waiting_since=name.created_at,
            detail=_("Same customer as %(candidate)s?") % {"candidate": name.candidate.name}
            if name.candidate
            else "",
        )
        for name in waiting[:limit]
    ]
    return items, total


def scores_for(user, month: dt.date, partner_ids: list[int] | None = None) -> dict[int, dict]:
    """Stored quality of the partners `user` sees for one month: partner id -> row."""
    rows = restrict_to_partners(PartnerPeriodQuality.objects.filter(month=month), user)
    if partner_ids is not None:
        rows = rows.filter(partner_id__in=partner_ids)
    return {
        row.partner_id: {"score": row.score, "reasons": row.reasons, "figures": row.figures}
        for row in rows
    }


def latest_scores_for(user, partner: Partner, *, months: int = 6) -> list[PartnerPeriodQuality]:
    """A partner's stored scores, newest month first (for the scorecard and the portal)."""
    return list(
        restrict_to_partners(PartnerPeriodQuality.objects.filter(partner=partner), user)
        .exclude(score__isnull=True)
        .order_by("-month")[:months]
    )


def spellings_to_review(user) -> QuerySet[CustomerName]:
    """Spellings in the grey zone: vendor staff decide them (the registry is the whole
    tenant's; a CM sees names, not which partner wrote them)."""
    if not (user.is_authenticated and user.is_vendor_staff):
        return CustomerName.objects.none()
    return (
        CustomerName.objects.filter(status=LinkStatus.REVIEW)
        .select_related("candidate")
        .order_by("created_at", "pk")
    )


def get_spelling_for(user, pk: int) -> CustomerName:
    """Any spelling of the registry, for vendor staff (404 otherwise)."""
    if not (user.is_authenticated and user.is_vendor_staff):
        return get_object_or_404(CustomerName.objects.none(), pk=pk)
    return get_object_or_404(CustomerName.objects.all(), pk=pk)


def upload_quality(upload) -> dict | None:
    """Stored quality figures of an upload the caller already fetched through the scope."""
    from reporting.quality.models import UploadQuality

    found = UploadQuality.objects.filter(upload=upload).first()
    return found.figures if found else None


def measure_upload(upload) -> dict:
    """Quality of one upload (two queries over its lines, counted and held):
    rows rejected for an unknown SKU, duplicates held, counted lines without a linked end
    customer, unit prices far from list price, and the months its lines fall in."""
    from django.db import connection

    from deals.models import Product
    from reporting.models import SalesLine, UploadError, lines_of_upload
    from reporting.quality.scoring import PRICE_TOLERANCE

    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FILTER (WHERE n.customer_id IS NULL),
                   count(*) FILTER (WHERE p.list_price > 0
                       AND abs(l.unit_price - p.list_price) > p.list_price * %(tolerance)s),
                   array_agg(DISTINCT to_char(l.invoice_date, 'YYYY-MM'))
              FROM {SalesLine._meta.db_table} l
              LEFT JOIN {CustomerName._meta.db_table} n ON n.name = l.end_customer
                   AND n.country = upper(left(coalesce(l.end_customer_country, ''), 2))
              LEFT JOIN {Product._meta.db_table} p
                   ON p.vendor_sku = l.vendor_sku AND p.currency = l.currency
             WHERE {lines_of_upload("l", "%(upload)s")}
            """,
            {"upload": upload.pk, "tolerance": PRICE_TOLERANCE},
        )
        unlinked, odd_prices, months = cursor.fetchone()
        held = HeldLine._meta.db_table
        cursor.execute(
            f"""SELECT count(*) FILTER (WHERE code = 'unknown_sku'),
                       (SELECT count(*) FROM {held} WHERE upload_id = %(upload)s),
                       (SELECT array_agg(DISTINCT to_char(invoice_date, 'YYYY-MM'))
                          FROM {held} WHERE upload_id = %(upload)s)
                  FROM {UploadError._meta.db_table} WHERE upload_id = %(upload)s""",
            {"upload": upload.pk},
        )
        unknown, held, held_months = cursor.fetchone()
    return {
        "unknown_sku_rows": unknown,
        "duplicate_rows": held,
        "unlinked_lines": unlinked or 0,
        "price_anomaly_rows": odd_prices or 0,
        # Held lines count too: a report sent again still covers its months.
        "months": sorted({m for m in [*(months or []), *(held_months or [])] if m}),
    }


def two_tier_lines_for(user, partner: Partner, *, limit: int = 50):
    """Sales of this partner another partner reported too (scoped; newest first)."""
    from reporting.quality.models import TwoTierLine

    rows = restrict_to_partners(TwoTierLine.objects.filter(partner=partner), user)
    return rows.select_related("other_partner").order_by("-invoice_date", "pk")[:limit]
