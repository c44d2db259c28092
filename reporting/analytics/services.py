"""Writes of analytics: exchange rates, summary refreshes, reconciliation, decisions.

Summaries are rebuilt per partner with set-based SQL in one transaction (delete the
partners' rows, insert the new aggregate), under a per-tenant advisory lock so two
refreshes never interleave; running one twice gives the same rows (tasks may retry).

Hooks for other apps (call inside the tenant context, after your own writes):

    from reporting.analytics.services import queue_refresh
    queue_refresh(partner_ids=[partner_id])                 # after an import stored lines
    queue_refresh(partner_ids=[deal.partner_id], sales=False)  # after a deal change

They queue :func:`reporting.analytics.tasks.refresh_summaries` on commit.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.tenancy.selectors import current_vendor
from reporting.analytics import sources
from reporting.analytics.models import (
    ExchangeRate,
    FindingKind,
    FindingStatus,
    ReconciliationFinding,
    SummaryRefresh,
)

#: Advisory lock key (with the schema's hash) serialising summary rebuilds in a tenant.
_LOCK_KEY = 0x5A1E5


def reporting_currency() -> str:
    """The vendor's reporting currency."""
    return current_vendor().reporting_currency


# --- Conversion ----------------------------------------------------------------------------


@dataclass
class RateTable:
    """Rates in memory for converting many amounts with one query.

    ``rate(currency, day)`` is the rate whose ``valid_from`` is the latest on or before
    ``day``; None when there is none (the amount cannot be converted, and says so).
    """

    reporting: str
    by_currency: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> RateTable:
        reporting = reporting_currency()
        table = cls(reporting=reporting)
        rows = ExchangeRate.objects.filter(quote_currency=reporting).order_by(
            "currency", "valid_from"
        )
        for row in rows.values_list("currency", "valid_from", "rate"):
            table.by_currency.setdefault(row[0], []).append((row[1], row[2]))
        return table

    def rate(self, currency: str, day: date) -> Decimal | None:
        currency = (currency or "").upper()
        if currency == self.reporting:
            return Decimal(1)
        found = None
        for valid_from, rate in self.by_currency.get(currency, ()):
            if valid_from > day:
                break
            found = rate
        return found

    def convert(self, amount: Decimal, currency: str, day: date) -> Decimal | None:
        rate = self.rate(currency, day)
        return None if rate is None else amount * rate


def convert(amount: Decimal, currency: str, day: date) -> Decimal | None:
    """One amount in the reporting currency at the rate valid on ``day`` (None: no rate)."""
    return RateTable.load().convert(amount, currency, day)


#: SQL: rate ranges quoted in the reporting currency, plus the identity for itself.
RATES_CTE = """
rates AS (
    SELECT currency, rate, valid_from,
           lead(valid_from) OVER (PARTITION BY currency ORDER BY valid_from) AS valid_to
      FROM analytics_exchangerate
     WHERE quote_currency = %(reporting)s AND currency <> %(reporting)s
    UNION ALL
    SELECT %(reporting)s, 1, '-infinity'::date, NULL
)"""


def _rate_join(alias: str, currency_sql: str, day_sql: str) -> str:
    return (
        f"LEFT JOIN rates {alias} ON {alias}.currency = {currency_sql} "
        f"AND {day_sql} >= {alias}.valid_from "
        f"AND ({alias}.valid_to IS NULL OR {day_sql} < {alias}.valid_to)"
    )


# --- Exchange rates ------------------------------------------------------------------------


def _require_vendor_admin(user) -> None:
    if not (user.is_authenticated and user.is_vendor_admin):
        raise PermissionDenied


@transaction.atomic
def exchange_rate_save(
    *, user, currency: str, rate: Decimal, valid_from: date, rate_id: int | None = None
) -> ExchangeRate:
    """Add or change one rate (vendor admins); figures are rebuilt on commit."""
    _require_vendor_admin(user)
    currency = currency.strip().upper()
    reporting = reporting_currency()
    if currency == reporting:
        raise ValidationError(
            _("%(code)s is the reporting currency: it needs no rate.") % {"code": currency}
        )
    if rate is None or rate <= 0:
        raise ValidationError(_("Enter a rate above zero."))
    if rate_id is None:
        obj, _created = ExchangeRate.objects.update_or_create(
            currency=currency,
            quote_currency=reporting,
            valid_from=valid_from,
            defaults={"rate": rate, "updated_by": user},
        )
    else:
        obj = ExchangeRate.objects.select_for_update().get(pk=rate_id)
        clash = ExchangeRate.objects.filter(
            currency=currency, quote_currency=obj.quote_currency, valid_from=valid_from
        ).exclude(pk=obj.pk)
        if clash.exists():
            raise ValidationError(_("A rate for this currency and date exists already: edit it."))
        obj.currency, obj.rate, obj.valid_from, obj.updated_by = currency, rate, valid_from, user
        obj.full_clean()
        obj.save()
    queue_refresh(partner_ids=None)
    return obj


@transaction.atomic
def exchange_rate_delete(*, user, rate_id: int) -> None:
    _require_vendor_admin(user)
    ExchangeRate.objects.filter(pk=rate_id).delete()
    queue_refresh(partner_ids=None)


@dataclass
class RateImportResult:
    saved: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_rate_row(row: dict[str, str], line: int, reporting: str):
    currency = (row.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(_("line %(line)d: currency must be a three-letter code.") % {"line": line})
    if currency == reporting:
        raise ValueError(
            _("line %(line)d: %(code)s is the reporting currency.")
            % {"line": line, "code": currency}
        )
    try:
        rate = Decimal((row.get("rate") or "").strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0:
        raise ValueError(_("line %(line)d: rate must be a number above zero.") % {"line": line})
    try:
        valid_from = date.fromisoformat((row.get("valid_from") or "").strip())
    except ValueError:
        raise ValueError(
            _("line %(line)d: valid_from must be a date like 2026-01-31.") % {"line": line}
        ) from None
    return currency, rate, valid_from


@transaction.atomic
def exchange_rates_import(*, user, text: str) -> RateImportResult:
    """Rates from CSV ``currency,rate,valid_from``: all rows or none (errors listed)."""
    _require_vendor_admin(user)
    reporting = reporting_currency()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    result = RateImportResult()
    if not {"currency", "rate", "valid_from"} <= set(header):
        result.errors.append(_("The first line must name the columns currency,rate,valid_from."))
        return result
    reader.fieldnames = header
    parsed = []
    for line, row in enumerate(reader, start=2):
        try:
            parsed.append(_parse_rate_row(row, line, reporting))
        except ValueError as error:
            result.errors.append(str(error))
        if len(result.errors) >= 20:
            break
    if result.errors:
        return result
    # One upsert on (currency, quote_currency, valid_from) whatever the number of rows; a
    # later row for the same day wins, as it did row by row.
    latest = {(currency, valid_from): rate for currency, rate, valid_from in parsed}
    ExchangeRate.objects.bulk_create(
        [
            ExchangeRate(
                currency=currency,
                quote_currency=reporting,
                valid_from=valid_from,
                rate=rate,
                updated_by=user,
            )
            for (currency, valid_from), rate in latest.items()
        ],
        update_conflicts=True,
        unique_fields=["currency", "quote_currency", "valid_from"],
        update_fields=["rate", "updated_by", "updated_at"],
    )
    result.saved = len(parsed)
    queue_refresh(partner_ids=None)
    return result


# --- Summary refreshes ---------------------------------------------------------------------


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_LOCK_KEY])


def _partner_filter(column: str, ids: list[int] | None) -> str:
    return "" if ids is None else f" AND {column} = ANY(%(ids)s)"


def _record_refresh(name: str, ids: list[int] | None, rows: int, started: float) -> None:
    SummaryRefresh.objects.update_or_create(
        name=name,
        defaults={
            "refreshed_at": timezone.now(),
            "partners": None if ids is None else len(ids),
            "rows": rows,
            "duration_ms": int((time.monotonic() - started) * 1000),
        },
    )


def _ids(partner_ids: Iterable[int] | None) -> list[int] | None:
    return None if partner_ids is None else sorted({int(pk) for pk in partner_ids})


PARTNER_SUMMARIES = (
    "analytics_salesmonthproduct",
    "analytics_salesmonth",
    "analytics_salesmonthcountry",
)


@transaction.atomic
def refresh_sales_summaries(*, partner_ids: Iterable[int] | None = None) -> int:
    """Rebuild the sales summaries of ``partner_ids`` (None: every partner) from raw lines.

    Per partner: month x product x country x currency (from the lines, converted at the
    rate valid on each invoice date), then month and month x country rolled up from it.
    The tenant-wide rollup gets those partners' changes (old figures out, new ones in).
    Returns the number of product rows written.
    """
    started = time.monotonic()
    ids = _ids(partner_ids)
    if ids == []:
        return 0
    _lock()
    params = {"ids": ids, "reporting": reporting_currency()}
    lines = sources.sales_lines()
    rows = 0
    where = _partner_filter("partner_id", ids)
    with connection.cursor() as cursor:
        # The partners' CM is read once and held (FOR SHARE) until commit: the rows filed
        # under a CM and RollupPartner then agree even if someone reassigns meanwhile.
        cursor.execute(
            f"SELECT id FROM partners_partner WHERE true{_partner_filter('id', ids)} FOR SHARE",
            params,
        )
        if ids is not None:
            _tenant_rollup_delta(cursor, params, sign=-1)  # take the old figures out
        for table in PARTNER_SUMMARIES:
            cursor.execute(f"DELETE FROM {table} WHERE true{where}", params)
        if lines is not None:
            day = f"l.{lines.invoice_date}"
            currency = f"upper(l.{lines.currency})"
            reported, upload_join = "NULL::timestamptz", ""
            if "upload" in lines.columns:
                reported = f"min(u.{lines.upload_created})"
                upload_join = f"LEFT JOIN {lines.upload_table} u ON u.id = l.{lines.upload}"
            # Ordered by partner and month: a partner's rows sit together on disk, so a
            # CM's dashboard reads few pages.
            cursor.execute(
                f"""
                WITH {RATES_CTE}
                INSERT INTO analytics_salesmonthproduct
                    (partner_id, month, vendor_sku, country, currency, quantity, amount,
                     amount_reporting, line_count, unconverted_lines, first_reported_at,
                     channel_manager_id)
                SELECT l.{lines.partner}, date_trunc('month', {day})::date,
                       l.{lines.vendor_sku}, upper(coalesce(l.{lines.end_customer_country}, '')),
                       {currency}, sum(l.{lines.quantity}), sum(l.{lines.amount}),
                       coalesce(sum(l.{lines.amount} * r.rate), 0), count(*),
                       count(*) FILTER (WHERE r.rate IS NULL), {reported},
                       min(p.channel_manager_id)
                  FROM {lines.table} l {_rate_join("r", currency, day)} {upload_join}
                  JOIN partners_partner p ON p.id = l.{lines.partner}
                 WHERE l.{lines.invoice_date} IS NOT NULL
                       {_partner_filter(f"l.{lines.partner}", ids)}
                 GROUP BY 1, 2, 3, 4, 5
                 ORDER BY 1, 2
                """,
                params,
            )
            rows = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO analytics_salesmonth
                (partner_id, month, currency, quantity, amount, amount_reporting, line_count,
                 unconverted_lines, first_reported_at)
            SELECT partner_id, month, currency, sum(quantity), sum(amount),
                   sum(amount_reporting), sum(line_count), sum(unconverted_lines),
                   min(first_reported_at)
              FROM analytics_salesmonthproduct
             WHERE true{where}
             GROUP BY 1, 2, 3
             ORDER BY 1, 2
            """,
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO analytics_salesmonthcountry
                (partner_id, month, country, currency, quantity, amount_reporting, line_count)
            SELECT partner_id, month, country, currency, sum(quantity), sum(amount_reporting),
                   sum(line_count)
              FROM analytics_salesmonthproduct
             WHERE true{where}
             GROUP BY 1, 2, 3, 4
             ORDER BY 1, 2
            """,
            params,
        )
        if ids is None:
            _rebuild_tenant_rollups(cursor)
        else:
            _tenant_rollup_delta(cursor, params, sign=1)  # and the new ones in
        _record_rollup_partners(cursor, params, ids)
    _record_refresh("sales", ids, rows, started)
    return rows


_ROLLUP_DIMENSIONS = (("total", "''"), ("sku", "vendor_sku"), ("country", "country"))
#: Each dimension per CM, and vendor-wide (every partner, whatever their CM).
_ROLLUP_LEVELS = (
    ("channel_manager_id", "false", "2, 3, 4, 5"),
    ("NULL::bigint", "true", "2, 3, 4"),
)
_ROLLUP_MEASURES = ("quantity", "amount_reporting", "line_count", "unconverted_lines")


def _tenant_rollup_rows(sign: int, where: str) -> str:
    """Upsert the rollup rows of the partner summaries matching ``where``, times ``sign``:
    -1 takes a partner's old figures out of the shared rows, 1 adds its new ones."""
    parts = [
        f"SELECT '{dimension}', {key}, month, currency, {cm}, {wide}, "
        + ", ".join(f"{sign} * sum({measure})" for measure in _ROLLUP_MEASURES)
        + f" FROM analytics_salesmonthproduct WHERE true{where} GROUP BY {group}"
        for dimension, key in _ROLLUP_DIMENSIONS
        for cm, wide, group in _ROLLUP_LEVELS
    ]
    return (
        "INSERT INTO analytics_tenantmonth (dimension, key, month, currency,"
        " channel_manager_id, vendor_wide, "
        + ", ".join(_ROLLUP_MEASURES)
        + ") "
        + " UNION ALL ".join(parts)
        + " ON CONFLICT ON CONSTRAINT tenantmonth_key DO UPDATE SET "
        + ", ".join(f"{m} = analytics_tenantmonth.{m} + EXCLUDED.{m}" for m in _ROLLUP_MEASURES)
    )


def _record_rollup_partners(cursor, params: dict, ids: list[int] | None) -> None:
    """File the refreshed partners under the CM their rows were built with."""
    if ids is None:
        cursor.execute("DELETE FROM analytics_rolluppartner")
    cursor.execute(
        f"""
        INSERT INTO analytics_rolluppartner (partner_id, channel_manager_id)
        SELECT id, channel_manager_id FROM partners_partner WHERE true{_partner_filter("id", ids)}
        ON CONFLICT (partner_id) DO UPDATE SET channel_manager_id = EXCLUDED.channel_manager_id
        """,
        params,
    )


def _tenant_rollup_delta(cursor, params: dict, *, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) the figures of params["ids"] partners."""
    cursor.execute(_tenant_rollup_rows(sign, " AND partner_id = ANY(%(ids)s)"), params)
    if sign == 1:
        # Keys nobody has figures for any more (a partner's only sales of a product were
        # replaced) would otherwise stay as rows of zeros.
        cursor.execute(
            "DELETE FROM analytics_tenantmonth WHERE line_count = 0"
            " AND quantity = 0 AND amount_reporting = 0"
        )


def _rebuild_tenant_rollups(cursor) -> None:
    cursor.execute("DELETE FROM analytics_tenantmonth")
    cursor.execute(_tenant_rollup_rows(1, ""))


@transaction.atomic
def refresh_deal_summaries(*, partner_ids: Iterable[int] | None = None) -> int:
    """Rebuild the deal summaries of ``partner_ids`` (None: all) from registrations.

    Drafts are left out (nobody registered anything yet). A deal counts in the month it
    was submitted; its values are converted at the rate of that day (the final amount at
    the rate of the closing day).
    """
    started = time.monotonic()
    ids = _ids(partner_ids)
    if ids == []:
        return 0
    _lock()
    params = {"ids": ids, "reporting": reporting_currency()}
    day = "(coalesce(d.submitted_at, d.created_at) AT TIME ZONE 'UTC')::date"
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute("DELETE FROM analytics_tenantdealmonth")
        else:
            cursor.execute(_deal_rollup_rows(-1), params)  # the old figures out
        cursor.execute(
            f"DELETE FROM analytics_dealmonth WHERE true{_partner_filter('partner_id', ids)}",
            params,
        )
        cursor.execute(
            f"""
            WITH {RATES_CTE}
            INSERT INTO analytics_dealmonth
                (partner_id, month, status, currency, deal_count, expected_value,
                 expected_value_reporting, final_amount_reporting, unconverted_deals,
                 decided_count, decision_seconds)
            SELECT d.partner_id, date_trunc('month', {day})::date, d.status, d.currency,
                   count(*), sum(d.expected_value),
                   coalesce(sum(d.expected_value * r.rate), 0),
                   coalesce(sum(d.final_amount * coalesce(c.rate, r.rate)), 0),
                   count(*) FILTER (WHERE r.rate IS NULL),
                   count(*) FILTER (WHERE d.decided_at IS NOT NULL AND d.submitted_at IS NOT NULL),
                   coalesce(sum(extract(epoch FROM d.decided_at - d.submitted_at))
                       FILTER (WHERE d.decided_at IS NOT NULL AND d.submitted_at IS NOT NULL), 0)
              FROM deals_deal d
                   {_rate_join("r", "d.currency", day)}
                   {_rate_join("c", "d.currency", "d.closed_on")}
             WHERE d.status <> 'draft'{_partner_filter("d.partner_id", ids)}
             GROUP BY 1, 2, 3, 4
            """,
            params,
        )
        rows = cursor.rowcount
        cursor.execute(_deal_rollup_rows(1, every_partner=ids is None), params)  # new ones in
        cursor.execute("DELETE FROM analytics_tenantdealmonth WHERE deal_count = 0")
    _record_refresh("deals", ids, rows, started)
    return rows


_DEAL_MEASURES = (
    "deal_count",
    "expected_value_reporting",
    "final_amount_reporting",
    "unconverted_deals",
    "decided_count",
    "decision_seconds",
)


def _deal_rollup_rows(sign: int, *, every_partner: bool = False) -> str:
    """Upsert the vendor-wide deal rollup with the DealMonth rows of params["ids"]
    partners (or of every partner), times ``sign``."""
    where = "" if every_partner else " WHERE partner_id = ANY(%(ids)s)"
    return (
        "INSERT INTO analytics_tenantdealmonth (month, status, currency, "
        + ", ".join(_DEAL_MEASURES)
        + ") SELECT month, status, currency, "
        + ", ".join(f"{sign} * sum({m})" for m in _DEAL_MEASURES)
        + f" FROM analytics_dealmonth{where} GROUP BY 1, 2, 3"
        " ON CONFLICT ON CONSTRAINT tenantdealmonth_key DO UPDATE SET "
        + ", ".join(f"{m} = analytics_tenantdealmonth.{m} + EXCLUDED.{m}" for m in _DEAL_MEASURES)
    )


def refresh_all(
    *,
    partner_ids: Iterable[int] | None = None,
    sales: bool = True,
    deals: bool = True,
    reconcile: bool = True,
) -> None:
    """Everything a change can affect, each step in its own transaction."""
    if sales:
        refresh_sales_summaries(partner_ids=partner_ids)
    if deals:
        refresh_deal_summaries(partner_ids=partner_ids)
    if reconcile:
        if partner_ids is None:
            reconcile_all()
        else:
            reconcile_sales(partner_ids=partner_ids)


#: Partners reconciled per transaction when everything is reconciled (bounded memory).
RECONCILE_BATCH = 200


def reconcile_all() -> None:
    """Reconcile every partner, a batch of partners per transaction."""
    from partners.models import Partner

    ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), RECONCILE_BATCH):
        reconcile_sales(partner_ids=ids[start : start + RECONCILE_BATCH])


def queue_refresh(
    *, partner_ids: Iterable[int] | None = None, sales: bool = True, deals: bool = True
) -> None:
    """Queue a rebuild of the summaries (and reconciliation) once the transaction commits.

    The hook for imports (``queue_refresh(partner_ids=[id])``) and deal changes
    (``queue_refresh(partner_ids=[id], sales=False)``). Call it in the tenant's context.
    """
    from reporting.analytics.tasks import refresh_summaries

    ids = _ids(partner_ids)
    refresh_summaries.delay_on_commit(partner_ids=ids, sales=sales, deals=deals)


# --- Reconciliation ------------------------------------------------------------------------

#: A sale's end customer and a registration's customer are the same company at or above
#: this name similarity (deals.matching's threshold for "same name").
MATCH_SIMILARITY = 85
#: Registrations a sale can be reconciled with (the partner's own) ...
OWN_CLAIM_STATUSES = ("approved", "won")
#: ... and registrations of other partners that make a sale a channel conflict.
RIVAL_CLAIM_STATUSES = ("submitted", "more_information", "approved", "won")
#: A won deal's invoices may come a little after its closing date.
AFTER_CLOSE_GRACE_DAYS = 60
#: Registrations scored per end customer (those sharing most name keys).
MAX_CANDIDATES = 5


@dataclass
class SaleGroup:
    """A partner's reported lines to one end customer, per product and day."""

    partner_id: int
    end_customer: str
    country: str
    key: str
    lines: list[tuple[str, date, Decimal, int]] = field(default_factory=list)


@dataclass
class Claim:
    deal_id: int
    partner_id: int
    status: str
    customer_name: str
    skus: set[str]
    window: tuple[date, date] | None  # invoice dates that count for this registration


def _claim_window(status, decided_at, protected_until, submitted_at, closed_on):
    start = decided_at or submitted_at
    if start is None:
        return None
    start = timezone.localdate(start) if isinstance(start, datetime) else start
    end = protected_until
    if status == "won" and closed_on:
        end = max(end or closed_on, closed_on + timedelta(days=AFTER_CLOSE_GRACE_DAYS))
    if status in ("submitted", "more_information"):
        end = start + timedelta(days=365)
    return (start, end or start + timedelta(days=365))


#: Per sale group (end customer of one partner): the registrations in the given statuses
#: sharing one of the group's ``strong`` keys, best first: most shared name keys, the
#: partner's own registrations before rivals', then oldest. One query for every group,
#: through the GIN index on customer_name_keys; only MAX_CANDIDATES per group come back,
#: however many registrations share a common pair of words. JIT off: compiling the
#: expressions took longer (0.3 s) than running them.
_CANDIDATES_SQL = """
    SELECT g.idx, c.id
      FROM jsonb_to_recordset(%(groups)s::jsonb)
           AS g(idx integer, partner bigint, strong varchar[], keys varchar[])
     CROSS JOIN LATERAL (
           SELECT d.id FROM deals_deal d
            WHERE d.customer_name_keys && g.strong AND d.status = ANY(%(statuses)s)
            ORDER BY (SELECT count(*) FROM unnest(g.keys) k
                       WHERE k = ANY(d.customer_name_keys)) DESC,
                     d.partner_id = g.partner DESC, d.id
            LIMIT %(limit)s) c
"""


def _ranked_candidates(queries: list[dict], statuses) -> list[tuple[int, int]]:
    if not queries:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            _CANDIDATES_SQL,
            {"groups": json.dumps(queries), "statuses": list(statuses), "limit": MAX_CANDIDATES},
        )
        return cursor.fetchall()


#: A pair of words more registrations than this share identifies no company ("Cedar
#: Atlas" of every "Cedar Atlas <trade>"), as a single word does not: it finds no candidates.
COMMON_PAIR_REGISTRATIONS = 200


#: How long a worker trusts a pair's count: a pair crossing the threshold in the meantime
#: changes which candidates are ranked, not whether a finding is right.
COMMON_PAIR_SECONDS = 600
_pair_counts: dict[tuple[str, str], tuple[float, bool]] = {}


def _common_pairs(keys: set[str]) -> set[str]:
    """The pair keys of ``keys`` that more than COMMON_PAIR_REGISTRATIONS registrations
    hold (counted up to one more than that, through the GIN index; each answer kept for
    COMMON_PAIR_SECONDS in this process)."""
    schema, now = connection.schema_name, time.monotonic()
    known = {key: _pair_counts.get((schema, key)) for key in keys}
    common = {key for key, seen in known.items() if seen and seen[0] > now and seen[1]}
    keys = {key for key, seen in known.items() if not seen or seen[0] <= now}
    if not keys:
        return common
    if len(_pair_counts) > 100_000:
        _pair_counts.clear()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT k FROM unnest(%(keys)s::varchar[]) k
             WHERE (SELECT count(*) FROM (
                        SELECT 1 FROM deals_deal d
                         WHERE d.customer_name_keys @> ARRAY[k]
                         LIMIT %(limit)s) AS sharing) = %(limit)s
            """,
            {"keys": sorted(keys), "limit": COMMON_PAIR_REGISTRATIONS + 1},
        )
        found = {row[0] for row in cursor.fetchall()}
    for key in keys:
        _pair_counts[(schema, key)] = (now + COMMON_PAIR_SECONDS, key in found)
    return common | found


def _load_candidates(groups: list[SaleGroup], statuses) -> list[list[Claim]]:
    """The candidate registrations of each group (same order as ``groups``).

    Two passes. First only registrations of exactly the group's name (a whole-name key,
    "=..."): a few rows each, and they share the most keys with it. A group with
    MAX_CANDIDATES of those is done. The others are looked up again with their pairs of
    words too (a misspelt name shares a pair, not the whole name), leaving out pairs too
    common to identify a company (COMMON_PAIR_REGISTRATIONS): ranking the thousand
    registrations of a common pair took ~10 ms a customer, 3-25 s for a partner
    (bench/reporting.py's generated names are made of 27 words).
    """
    from deals.models import Deal, DealLine

    queries = []
    for idx, group in enumerate(groups):
        keys = list(_query_keys(group.end_customer))
        # Single words ("logistics") are no evidence of the same company: a candidate must
        # share the whole name or a pair of words; all keys then rank the candidates.
        strong = [key for key in keys if key.startswith("=") or "+" in key]
        if strong:
            queries.append(
                {"idx": idx, "partner": group.partner_id, "strong": strong, "keys": keys}
            )
    if not queries:
        return [[] for _ in groups]
    namesakes = [
        {**query, "strong": [key for key in query["strong"] if key.startswith("=")]}
        for query in queries
    ]
    found = _ranked_candidates([query for query in namesakes if query["strong"]], statuses)
    enough = defaultdict(int)
    for idx, _deal_id in found:
        enough[idx] += 1
    rest = [query for query in queries if enough[query["idx"]] < MAX_CANDIDATES]
    common = _common_pairs({key for query in rest for key in query["strong"] if "+" in key})
    rest = [
        {**query, "strong": [key for key in query["strong"] if key not in common]} for query in rest
    ]
    # Without a usable pair key the second pass would find the namesakes again.
    rest = [query for query in rest if any("+" in key for key in query["strong"])]
    done = {query["idx"] for query in rest}
    found = [row for row in found if row[0] not in done] + _ranked_candidates(rest, statuses)
    found.sort(key=lambda row: row[0])  # stable: rank order kept within each group
    ids = {deal_id for _idx, deal_id in found}
    skus: dict[int, set[str]] = defaultdict(set)
    for deal_id, sku in DealLine.objects.filter(deal_id__in=ids).values_list(
        "deal_id", "product__vendor_sku"
    ):
        skus[deal_id].add(sku)
    rows = Deal.objects.filter(pk__in=ids).values_list(
        "pk",
        "partner_id",
        "status",
        "customer_name",
        "decided_at",
        "protected_until",
        "submitted_at",
        "closed_on",
    )
    claims = {
        pk: Claim(
            pk,
            partner_id,
            status,
            name,
            skus.get(pk, set()),
            _claim_window(status, decided_at, until, submitted_at, closed_on),
        )
        for pk, partner_id, status, name, decided_at, until, submitted_at, closed_on in rows
    }
    per_group: list[list[Claim]] = [[] for _ in groups]
    for idx, deal_id in found:  # in rank order within each group
        per_group[idx].append(claims[deal_id])
    return per_group


def _load_sales(ids: list[int] | None, table: RateTable) -> list[SaleGroup]:

    lines = sources.sales_lines()
    sql = f"""
        SELECT l.{lines.partner}, l.{lines.end_customer},
               upper(coalesce(l.{lines.end_customer_country}, '')), l.{lines.vendor_sku},
               l.{lines.invoice_date}, upper(l.{lines.currency}), sum(l.{lines.amount}), count(*)
          FROM {lines.table} l
         WHERE coalesce(l.{lines.end_customer}, '') <> '' AND l.{lines.invoice_date} IS NOT NULL
               {_partner_filter(f"l.{lines.partner}", ids)}
         GROUP BY 1, 2, 3, 4, 5, 6
    """
    groups: dict[tuple[int, str], SaleGroup] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids})
        for partner_id, customer, country, sku, day, currency, amount, count in cursor:
            key = _customer_key(customer)
            group = groups.get((partner_id, key))
            if group is None:
                group = groups[(partner_id, key)] = SaleGroup(partner_id, customer, country, key)
            converted = table.convert(amount, currency, day) or Decimal(0)
            group.lines.append((sku, day, converted, count))
    return list(groups.values())


# A worker reconciles the same customers import after import: their normalised names and
# name keys (~0.5 ms each) are kept, as the similarity scores are.
@functools.lru_cache(maxsize=100_000)
def _customer_key(name: str) -> str:
    from deals import matching

    return matching.normalise_company_name(name) or name.strip().lower()


@functools.lru_cache(maxsize=100_000)
def _query_keys(name: str) -> tuple[str, ...]:
    from deals import matching

    return tuple(matching.name_query_keys(name))


@functools.lru_cache(maxsize=100_000)
def _similarity(left: str, right: str) -> int:
    from deals import matching

    return matching.name_similarity(left, right)


def _scored(group: SaleGroup, candidates: list[Claim]) -> list[tuple[Claim, int]]:
    """The candidates whose name is similar enough to the group's end customer."""
    found = []
    for claim in candidates:
        score = _similarity(group.end_customer, claim.customer_name)
        if score >= MATCH_SIMILARITY:
            found.append((claim, score))
    return found


def _lines_for(group: SaleGroup, claim: Claim):
    if claim.window is None:
        return []
    start, end = claim.window
    return [
        line
        for line in group.lines
        if start <= line[1] <= end and (not claim.skus or line[0] in claim.skus)
    ]


def _finding(
    kind,
    partner_id,
    group: SaleGroup | None,
    lines,
    *,
    deal_id=None,
    score=None,
    key: str = "",
    now,
) -> ReconciliationFinding:
    lines = lines or []
    return ReconciliationFinding(
        kind=kind,
        partner_id=partner_id,
        deal_id=deal_id,
        customer_key=group.key if group else key,
        end_customer=group.end_customer if group else "",
        country=group.country if group else "",
        products=sorted({line[0] for line in lines}),
        first_invoice_date=min((line[1] for line in lines), default=None),
        last_invoice_date=max((line[1] for line in lines), default=None),
        line_count=sum(line[3] for line in lines),
        amount_reporting=sum((line[2] for line in lines), Decimal(0)),
        name_score=score,
        detected_at=now,
        seen_at=now,
    )


#: Figures a new run updates on a finding that exists already (decisions stay).
_FINDING_FIGURES = (
    "end_customer",
    "country",
    "products",
    "first_invoice_date",
    "last_invoice_date",
    "line_count",
    "amount_reporting",
    "name_score",
    "seen_at",
)


def _upsert_findings(findings: list[ReconciliationFinding], now: datetime) -> None:
    """Insert the findings, or update the figures of those found before (their status,
    decision and comment stay). One statement with the rows as one JSON parameter: the
    ORM's bulk upsert spent 1.5 s building and parsing the SQL of 3,000 findings."""
    if not findings:
        return
    rows = [
        {
            "kind": f.kind,
            "partner_id": f.partner_id,
            "deal_id": f.deal_id,
            "customer_key": f.customer_key,
            "end_customer": f.end_customer,
            "country": f.country,
            "products": f.products,
            "first_invoice_date": f.first_invoice_date and f.first_invoice_date.isoformat(),
            "last_invoice_date": f.last_invoice_date and f.last_invoice_date.isoformat(),
            "line_count": f.line_count,
            "amount_reporting": str(f.amount_reporting),
            "name_score": f.name_score,
        }
        for f in findings
    ]
    table = ReconciliationFinding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (kind, partner_id, deal_id, customer_key, end_customer, country, products,
                 first_invoice_date, last_invoice_date, line_count, amount_reporting,
                 name_score, status, comment, detected_at, seen_at)
            SELECT r.kind, r.partner_id, r.deal_id, r.customer_key, r.end_customer,
                   r.country, r.products, r.first_invoice_date, r.last_invoice_date,
                   r.line_count, round(r.amount_reporting, 4), r.name_score,
                   %(open)s, '', %(now)s, %(now)s
              FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
                   kind varchar, partner_id bigint, deal_id bigint, customer_key varchar,
                   end_customer varchar, country varchar, products varchar[],
                   first_invoice_date date, last_invoice_date date, line_count integer,
                   amount_reporting numeric, name_score smallint)
            ON CONFLICT ON CONSTRAINT finding_unique DO UPDATE SET
            """
            + ", ".join(f"{name} = EXCLUDED.{name}" for name in _FINDING_FIGURES),
            {"rows": json.dumps(rows), "open": FindingStatus.OPEN, "now": now},
        )


@transaction.atomic
def reconcile_sales(*, partner_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Reconcile reported sales of ``partner_ids`` (None: all) with registrations.

    For each partner's end customer: lines inside the protection window of the partner's
    own approved/won registration of that customer (fuzzy name, overlapping products) are
    a *match*; lines to a customer another partner registered are a *conflict*; other
    customers are *unregistered*. Won registrations with no matching line are *won without
    sales*. Findings keep a CM's decision across runs; open ones no longer found go away.
    """
    from deals.models import Deal

    ids = _ids(partner_ids)
    if ids == []:
        return {}
    now = timezone.now()
    table = RateTable.load()
    groups = _load_sales(ids, table)
    candidates = _load_candidates(groups, RIVAL_CLAIM_STATUSES)
    findings: list[ReconciliationFinding] = []
    matched_deals: set[int] = set()
    for group, group_candidates in zip(groups, candidates, strict=True):
        own_match = conflict = False
        for claim, score in _scored(group, group_candidates):
            lines = _lines_for(group, claim)
            if not lines:
                continue
            if claim.partner_id == group.partner_id and claim.status in OWN_CLAIM_STATUSES:
                own_match = True
                matched_deals.add(claim.deal_id)
                findings.append(
                    _finding(
                        FindingKind.MATCH,
                        group.partner_id,
                        group,
                        lines,
                        deal_id=claim.deal_id,
                        score=score,
                        now=now,
                    )
                )
            elif claim.partner_id != group.partner_id:
                conflict = True
                findings.append(
                    _finding(
                        FindingKind.CONFLICT,
                        group.partner_id,
                        group,
                        lines,
                        deal_id=claim.deal_id,
                        score=score,
                        now=now,
                    )
                )
        if not own_match and not conflict:
            findings.append(
                _finding(FindingKind.UNREGISTERED, group.partner_id, group, group.lines, now=now)
            )
    won = Deal.objects.filter(status="won")
    if ids is not None:
        won = won.filter(partner_id__in=ids)
    for deal_id, partner_id, name in won.values_list("pk", "partner_id", "customer_name"):
        if deal_id not in matched_deals:
            key = _customer_key(name)
            finding = _finding(
                FindingKind.WON_NO_SALE, partner_id, None, [], deal_id=deal_id, key=key, now=now
            )
            finding.end_customer = name
            findings.append(finding)
    _upsert_findings(findings, now)
    stale = ReconciliationFinding.objects.filter(status=FindingStatus.OPEN, seen_at__lt=now)
    if ids is not None:
        stale = stale.filter(partner_id__in=ids)
    stale.delete()
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.kind] += 1
    return dict(counts)


@transaction.atomic
def finding_decide(*, user, finding_id: int, decision: str, comment: str = ""):
    """A CM confirms or dismisses a finding in their scope (404 outside it)."""
    from reporting.analytics.selectors import get_finding_for

    if not (user.is_authenticated and user.is_vendor_staff):
        raise PermissionDenied
    if decision not in (FindingStatus.CONFIRMED, FindingStatus.DISMISSED, FindingStatus.OPEN):
        raise ValidationError(_("Choose confirm or dismiss."))
    finding = get_finding_for(user, finding_id)
    finding = ReconciliationFinding.objects.select_for_update().get(pk=finding.pk)
    finding.status = decision
    finding.comment = comment.strip()
    reopened = decision == FindingStatus.OPEN
    finding.decided_by = None if reopened else user
    finding.decided_at = None if reopened else timezone.now()
    finding.save(update_fields=["status", "comment", "decided_by", "decided_at"])
    return finding
