"""Writes of analytics: exchange rates, summary refreshes, reconciliation, decisions.

Summaries are rebuilt per partner with set-based SQL in one transaction (delete the
partners' rows, insert the new aggregate), under a per-tenant advisory lock so two
refreshes never interleave; running one twice gives the same rows (tasks may retry).

Hooks for other apps (call inside the tenant context, after your own writes):

    from reporting.analytics.services import queue_refresh
    queue_refresh(partner_ids=[partner_id], deals=False, changed_months_only=True)
                                                            # after an import stored lines
    queue_refresh(partner_ids=[deal.partner_id], sales=False)  # after a deal change

They queue :func:`reporting.analytics.tasks.refresh_summaries` on commit.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.access import require_vendor_admin
from prm.tenancy.selectors import current_vendor
from reporting.analytics import sources
from reporting.analytics.models import (
    ExchangeRate,
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


@transaction.atomic
def exchange_rate_save(
    *, user, currency: str, rate: Decimal, valid_from: date, rate_id: int | None = None
) -> ExchangeRate:
    """Add or change one rate (vendor admins); figures are rebuilt on commit."""
    require_vendor_admin(user)
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
    require_vendor_admin(user)
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
    require_vendor_admin(user)
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


#: SQL: the (partner, month) pairs of an incremental refresh, as rows c(p, m).
_CHANGED = "(SELECT p, m FROM unnest(%(changed_p)s::bigint[], %(changed_m)s::date[]) AS c(p, m))"


def _take_changed_months(cursor, ids: list[int] | None) -> list[tuple[int, date]]:
    """Forget the changed months of ``ids`` (None: all): this refresh covers them. Returns
    them, each once. Lines committed after this statement keep their rows for the
    refresh their own hook queued."""
    cursor.execute(
        "DELETE FROM analytics_saleschangedmonth"
        f" WHERE true{_partner_filter('partner_id', ids)} RETURNING partner_id, month",
        {"ids": ids},
    )
    return sorted(set(cursor.fetchall()))


def _line_months(lines, changed: list[tuple[int, date]], params: dict) -> str:
    """SQL: the lines of the changed (partner, month) pairs, one range of the lines'
    (partner, invoice date) index per pair (a join to the pairs would read every line of
    the partner). Adds the bounds to ``params``."""
    if not changed:
        return " AND false"
    ranges = []
    for n, (pk, month) in enumerate(changed):
        params[f"changed_{n}_p"] = pk
        params[f"changed_{n}_from"] = month
        params[f"changed_{n}_to"] = add_month(month)
        ranges.append(
            f"(l.{lines.partner} = %(changed_{n}_p)s"
            f" AND l.{lines.invoice_date} >= %(changed_{n}_from)s"
            f" AND l.{lines.invoice_date} < %(changed_{n}_to)s)"
        )
    return " AND (" + " OR ".join(ranges) + ")"


def add_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _filed_under_current_cm(cursor, ids: list[int]) -> bool:
    """Whether every partner's summaries were built under its present CM (then months
    can be rebuilt one by one; otherwise every row needs the new CM)."""
    cursor.execute(
        """
        SELECT count(*) FROM partners_partner p
          JOIN analytics_rolluppartner r ON r.partner_id = p.id
         WHERE p.id = ANY(%(ids)s)
           AND r.channel_manager_id IS NOT DISTINCT FROM p.channel_manager_id
        """,
        {"ids": ids},
    )
    return cursor.fetchone()[0] == len(ids)


@transaction.atomic
def refresh_sales_summaries(
    *, partner_ids: Iterable[int] | None = None, changed_months_only: bool = False
) -> int:
    """Rebuild the sales summaries of ``partner_ids`` (None: every partner) from raw lines.

    Per partner: month x product x country x currency (from the lines, converted at the
    rate valid on each invoice date), then month and month x country rolled up from it.
    The tenant-wide rollup gets those partners' changes (old figures out, new ones in).

    ``changed_months_only`` (after an import): only the partners' months whose lines
    changed since the last refresh (:class:`SalesChangedMonth`, kept by triggers) are
    rebuilt; a month's rows depend on that month's lines only, so the result is the same
    as a full rebuild. A partner filed under another CM than its present one is rebuilt
    in full. Returns the number of product rows written.
    """
    started = time.monotonic()
    ids = _ids(partner_ids)
    if ids == []:
        return 0
    _lock()
    params = {"ids": ids, "reporting": reporting_currency()}
    lines = sources.sales_lines()
    rows = 0
    with connection.cursor() as cursor:
        # The partners' CM is read once and held (FOR SHARE) until commit: the rows filed
        # under a CM and RollupPartner then agree even if someone reassigns meanwhile.
        cursor.execute(
            f"SELECT id FROM partners_partner WHERE true{_partner_filter('id', ids)} FOR SHARE",
            params,
        )
        changed = _take_changed_months(cursor, ids)
        if changed_months_only and ids is not None and _filed_under_current_cm(cursor, ids):
            params["changed_p"] = [pk for pk, _month in changed]
            params["changed_m"] = [month for _pk, month in changed]
            where = f" AND (partner_id, month) IN {_CHANGED}"
            line_scope = _line_months(lines, changed, params)
        else:
            where = _partner_filter("partner_id", ids)
            line_scope = _partner_filter(f"l.{lines.partner}", ids)
        if ids is not None:
            _tenant_rollup_delta(cursor, params, where, sign=-1)  # take the old figures out
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
                 WHERE l.{lines.invoice_date} IS NOT NULL{line_scope}
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
            _tenant_rollup_delta(cursor, params, where, sign=1)  # and the new ones in
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


def _tenant_rollup_delta(cursor, params: dict, where: str, *, sign: int) -> None:
    """Add (sign 1) or take out (sign -1) the figures of the partner summaries matching
    ``where`` (some partners, or some of their months)."""
    cursor.execute(_tenant_rollup_rows(sign, where), params)
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
    changed_months_only: bool = False,
) -> None:
    """Everything a change can affect, each step in its own transaction.

    ``changed_months_only``: the sales summaries of the months whose lines changed only
    (see :func:`refresh_sales_summaries`), and reconciliation of the end customers whose
    lines changed only (see :func:`reconciliation.reconcile_sales`). Without ``sales`` (a
    registration changed, no line did) reconciliation also covers only what changed: the
    customers of the registrations changed since the partner's last run."""
    if sales:
        refresh_sales_summaries(partner_ids=partner_ids, changed_months_only=changed_months_only)
    if deals:
        refresh_deal_summaries(partner_ids=partner_ids)
    if reconcile:
        from reporting.analytics.reconciliation import reconcile_all, reconcile_sales

        if partner_ids is None:
            reconcile_all()
        else:
            reconcile_sales(partner_ids=partner_ids, changed_only=changed_months_only or not sales)


def queue_refresh(
    *,
    partner_ids: Iterable[int] | None = None,
    sales: bool = True,
    deals: bool = True,
    changed_months_only: bool = False,
) -> None:
    """Queue a rebuild of the summaries (and reconciliation) once the transaction commits.

    The hook for imports (``queue_refresh(partner_ids=[id], deals=False,
    changed_months_only=True)``: their lines changed, nothing else) and deal changes
    (``queue_refresh(partner_ids=[id], sales=False)``). Call it in the tenant's context.
    """
    from reporting.analytics.tasks import refresh_summaries

    ids = _ids(partner_ids)
    if changed_months_only:
        refresh_summaries.delay_on_commit(
            partner_ids=ids, sales=sales, deals=deals, changed_months_only=True
        )
    else:
        refresh_summaries.delay_on_commit(partner_ids=ids, sales=sales, deals=deals)


#: Reconciliation lives in reporting.analytics.reconciliation; its entry points (and the
#: rules other code reads) stay importable from here.
_RECONCILIATION_NAMES = frozenset(
    {
        "reconcile_sales",
        "reconcile_all",
        "finding_decide",
        "MATCH_SIMILARITY",
        "OWN_CLAIM_STATUSES",
        "RIVAL_CLAIM_STATUSES",
        "AFTER_CLOSE_GRACE_DAYS",
        "MAX_CANDIDATES",
        "RECONCILE_BATCH",
    }
)


def __getattr__(name: str):
    # Imported on first use, not at the top: reconciliation uses this module's rates.
    if name in _RECONCILIATION_NAMES:
        from reporting.analytics import reconciliation

        return getattr(reconciliation, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
