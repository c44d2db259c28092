"""Data quality of each partner's report for a month: the figures, a 0-100 score and the
reasons that lowered it (so a partner admin knows what to fix).

Figures come from the raw rows with a fixed number of set-based queries for any number of
partners. An upload belongs to the month most of its lines (counted or held) are dated
in; its rejected rows count there (a rejected row has no trustworthy date).

Score: 100 minus one penalty per problem, each capped so no single problem hides the
others. A month not yet due without a report has no score (nothing to judge yet).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals.models import Product
from partners.models import Partner
from prm.core.sql import hold_rows
from reporting.models import SalesLine, Upload, UploadError
from reporting.quality.cadence import add_business_days, cadences_for, parse_month, received_at
from reporting.quality.models import CustomerName, HeldLine, PartnerPeriodQuality, TwoTierLine

#: A unit price this far from the list price (same currency) is an anomaly.
PRICE_TOLERANCE = Decimal("0.5")

#: code -> (points per unit, cap, message). A share-based reason's unit is one percent
#: of the rows; lateness counts days.
PENALTIES = {
    "missing": (50, 50, _("No report received yet; it was due on {due}.")),
    "late": (2, 30, _("The report arrived {late_days} days after the due day ({due}).")),
    "overdue": (2, 30, _("The report is {late_days} days overdue.")),
    "rejected": (1, 25, _("{count} rows were rejected; download the error report and fix them.")),
    "unknown_sku": (
        1,
        15,
        _(
            "{count} rows name a product code we do not know; use vendor SKUs or ask your "
            "channel manager to add your part numbers."
        ),
    ),
    "duplicates": (
        Decimal("0.5"),
        15,
        _(
            "{count} lines had already been reported; send each sale once, or confirm true "
            "repeats on the report's page."
        ),
    ),
    "customers": (
        Decimal("0.15"),
        15,
        _(
            "{count} lines have an end customer we could not link; write the customer's full "
            "legal name and country."
        ),
    ),
    "prices": (
        Decimal("0.5"),
        10,
        _("{count} lines have a unit price far from the list price; check prices and currencies."),
    ),
}


def reason_text(reason: dict) -> str:
    """A stored reason as a sentence in the active language."""
    message = PENALTIES[reason["code"]][2]
    return str(message).format(**reason.get("params", {}))


def _per_partner(sql: str, params: dict) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def figures(partners, month: str, *, today: dt.date | None = None) -> list[dict]:
    """One dict per partner (the `partner_data_quality` row), partners in the given order."""
    period = parse_month(month)
    today = today or timezone.localdate()
    partners = list(partners)
    ids = [p.pk for p in partners]
    params = {"ids": ids, "lo": period.start, "hi": period.end}
    lines, held = SalesLine._meta.db_table, HeldLine._meta.db_table
    names, products = CustomerName._meta.db_table, Product._meta.db_table
    counted = _per_partner(
        f"""
        SELECT l.partner_id, count(*),
               count(*) FILTER (WHERE n.customer_id IS NOT NULL),
               count(*) FILTER (WHERE p.list_price > 0
                   AND abs(l.unit_price - p.list_price) > p.list_price * %(tolerance)s)
          FROM {lines} l
          LEFT JOIN {names} n ON n.name = l.end_customer
                             AND n.country = upper(left(coalesce(l.end_customer_country, ''), 2))
          LEFT JOIN {products} p ON p.vendor_sku = l.vendor_sku AND p.currency = l.currency
         WHERE l.partner_id = ANY(%(ids)s) AND l.invoice_date BETWEEN %(lo)s AND %(hi)s
         GROUP BY l.partner_id
        """,
        {**params, "tolerance": PRICE_TOLERANCE},
    )
    duplicates = _per_partner(
        f"""SELECT partner_id, count(*) FROM {held}
             WHERE partner_id = ANY(%(ids)s) AND invoice_date BETWEEN %(lo)s AND %(hi)s
             GROUP BY partner_id""",
        params,
    )
    two_tier = _per_partner(
        f"""SELECT partner_id, count(*) FROM {TwoTierLine._meta.db_table}
             WHERE partner_id = ANY(%(ids)s) AND invoice_date BETWEEN %(lo)s AND %(hi)s
             GROUP BY partner_id""",
        params,
    )
    uploads = _uploads_of_month(ids, period.start, period.end)
    rejected: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for upload_id, code, count in _error_counts(list(uploads)) if uploads else []:
        entry = rejected[uploads[upload_id]]
        entry[0] += count
        if code == "unknown_sku":
            entry[1] += count
    cadences = cadences_for(partners)
    arrived = received_at(ids, period.start, period.end)
    rows = []
    for partner in partners:
        line_count, linked, odd_prices = counted.get(partner.pk, (0, 0, 0))
        duplicate_rows = duplicates.get(partner.pk, (0,))[0]
        rejected_rows, unknown = rejected.get(partner.pk, (0, 0))
        due = add_business_days(period.end, cadences[partner.pk].due_business_days)
        received = arrived.get(partner.pk)
        late_days = max(0, ((received.date() if received else today) - due).days)
        row = {
            "partner": partner.slug,
            "period": period.label,
            "due": due.isoformat(),
            "received": received.date().isoformat() if received else None,
            "late_days": late_days,
            "rows": line_count + duplicate_rows + rejected_rows,
            "lines": line_count,
            "rejected_rows": rejected_rows,
            "unknown_sku_rows": unknown,
            "duplicate_rows": duplicate_rows,
            "two_tier_rows": two_tier.get(partner.pk, (0,))[0],
            "price_anomaly_rows": odd_prices,
            "customer_link_rate": round(linked / line_count, 4) if line_count else None,
        }
        row["score"], row["reasons"] = score(row, received=received is not None, today=today)
        rows.append(row)
    return rows


def _error_counts(upload_ids: list[int]):
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT upload_id, code, count(*) FROM {UploadError._meta.db_table}
                 WHERE upload_id = ANY(%s) GROUP BY upload_id, code""",
            [upload_ids],
        )
        return cursor.fetchall()


def _uploads_of_month(ids: list[int], lo: dt.date, hi: dt.date) -> dict[int, int]:
    """upload id -> partner id, for the finished uploads whose main month is [lo, hi]."""
    lines, held, uploads = (
        SalesLine._meta.db_table,
        HeldLine._meta.db_table,
        Upload._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH touching AS (
                SELECT DISTINCT upload_id FROM {lines}
                 WHERE partner_id = ANY(%(ids)s) AND invoice_date BETWEEN %(lo)s AND %(hi)s
                UNION
                SELECT DISTINCT upload_id FROM {held}
                 WHERE partner_id = ANY(%(ids)s) AND invoice_date BETWEEN %(lo)s AND %(hi)s
            ),
            months AS (
                SELECT upload_id, date_trunc('month', invoice_date)::date AS month, count(*) AS n
                  FROM (SELECT l.upload_id, l.invoice_date FROM {lines} l
                          JOIN {uploads} u ON l.id BETWEEN u.first_line_id AND u.last_line_id
                                          AND l.upload_id = u.id
                         WHERE u.id IN (SELECT upload_id FROM touching)
                        UNION ALL
                        SELECT upload_id, invoice_date FROM {held}
                         WHERE upload_id IN (SELECT upload_id FROM touching)) dated
                 GROUP BY upload_id, month
            ),
            main AS (
                SELECT DISTINCT ON (upload_id) upload_id, month FROM months
                 ORDER BY upload_id, n DESC, month
            )
            SELECT u.id, u.partner_id FROM main JOIN {uploads} u ON u.id = main.upload_id
             WHERE main.month = %(lo)s
            """,
            {"ids": ids, "lo": lo, "hi": hi},
        )
        return dict(cursor.fetchall())


def _penalty(code: str, units) -> int:
    per_unit, cap, _message = PENALTIES[code]
    return int(min(Decimal(cap), (Decimal(per_unit) * Decimal(units))).quantize(Decimal(1)))


def score(row: dict, *, received: bool, today: dt.date) -> tuple[int | None, list[dict]]:
    due = dt.date.fromisoformat(row["due"])
    if not received and today <= due:
        return None, []
    reasons: list[dict] = []

    def lower(code: str, units, **params) -> None:
        points = _penalty(code, units)
        if points > 0:
            reasons.append({"code": code, "penalty": points, "params": params})

    if not received:
        lower("missing", 1, due=row["due"])
        lower("overdue", row["late_days"], late_days=row["late_days"])
        return max(0, 100 - sum(r["penalty"] for r in reasons)), reasons
    lower("late", row["late_days"], late_days=row["late_days"], due=row["due"])
    rows = row["rows"] or 1
    other_rejected = row["rejected_rows"] - row["unknown_sku_rows"]
    lower("rejected", 100 * other_rejected / rows, count=other_rejected)
    lower("unknown_sku", 100 * row["unknown_sku_rows"] / rows, count=row["unknown_sku_rows"])
    lower("duplicates", 100 * row["duplicate_rows"] / rows, count=row["duplicate_rows"])
    if row["lines"]:
        unlinked = row["lines"] - round((row["customer_link_rate"] or 0) * row["lines"])
        lower("customers", 100 * unlinked / row["lines"], count=unlinked)
        lower(
            "prices",
            100 * row["price_anomaly_rows"] / row["lines"],
            count=row["price_anomaly_rows"],
        )
    return max(0, 100 - sum(r["penalty"] for r in reasons)), reasons


@transaction.atomic
@transaction.atomic
def refresh(partners, month: str, *, today: dt.date | None = None) -> list[dict]:
    """Rebuild the stored scores of these partners for one month; return the rows.

    A partner deleted since the caller listed it gets no row (the worker's nightly run
    must not fail on it, docs/architecture.md, "The worker beside the requests")."""
    partners = list(partners)
    still_there = hold_rows(Partner, [p.pk for p in partners])
    partners = [p for p in partners if p.pk in still_there]
    rows = figures(partners, month, today=today)
    start = parse_month(month).start
    by_slug = {p.slug: p for p in partners}
    PartnerPeriodQuality.objects.bulk_create(
        [
            PartnerPeriodQuality(
                partner=by_slug[row["partner"]],
                month=start,
                score=row["score"],
                figures={k: v for k, v in row.items() if k not in ("reasons", "score")},
                reasons=row["reasons"],
            )
            for row in rows
        ],
        update_conflicts=True,
        unique_fields=["partner", "month"],
        update_fields=["score", "figures", "reasons", "computed_at"],
    )
    return rows
