"""Reads of analytics, always starting from the acting user (docs/product-rules.md, Visibility).

Every figure comes from the summary tables (never raw lines) restricted to the partners
the user may see: ``partners.selectors.partners_visible_to`` narrowed by the dashboard
filters. A partner user's scope is their own partner, so the same functions serve the
portal. Each function runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import F, Max, Min, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners.selectors import partner_scope, partners_visible_to, restrict_to_partners
from partners.tiers import tier_progress
from reporting.analytics.models import (
    DealMonth,
    FindingCount,
    FindingKind,
    FindingStatus,
    ReconciledPartner,
    ReconciliationChange,
    ReconciliationFinding,
    SalesMonth,
    SalesMonthCountry,
    SalesMonthProduct,
    SummaryRefresh,
    TenantDealMonth,
    TenantMonth,
)

ZERO = Decimal(0)
#: Statuses a registration reaches only after approval (expiry and closing start there).
APPROVED_FAMILY = ("approved", "won", "lost", "expired")
PIPELINE_ORDER = ("submitted", "more_information", "approved", "won", "lost", "rejected", "expired")


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """Whole months from ``start`` to ``end`` (both first days of a month, inclusive)."""

    start: date
    end: date

    @classmethod
    def last_months(cls, count: int = 12, *, today: date | None = None) -> Period:
        end = month_start(today or timezone.localdate())
        return cls(add_months(end, -(count - 1)), end)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def shifted(self, months: int) -> Period:
        return Period(add_months(self.start, months), add_months(self.end, months))

    @property
    def previous(self) -> Period:
        return self.shifted(-self.months)

    @property
    def last_year(self) -> Period:
        return self.shifted(-12)

    def month_list(self) -> list[date]:
        return [add_months(self.start, i) for i in range(self.months)]

    def q(self, field: str = "month") -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})


@dataclass(frozen=True)
class Filters:
    period: Period
    partner_id: int | None = None
    tier_id: int | None = None
    territory_id: int | None = None
    sku: str = ""
    currency: str = ""

    def for_partner(self, partner_id: int) -> Filters:
        return replace(self, partner_id=partner_id)


def growth(current: Decimal | None, base: Decimal | None) -> Decimal | None:
    """Change in percent from ``base`` to ``current``; None when there is no base."""
    if not base or current is None:
        return None
    return ((current - base) * 100 / abs(base)).quantize(Decimal("0.1"))


def rate(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) * 100 / whole).quantize(Decimal("0.1"))


# --- Scope ---------------------------------------------------------------------------------


def partners_in_scope(user, filters: Filters) -> QuerySet:
    partners = partners_visible_to(user)
    if filters.partner_id:
        partners = partners.filter(pk=filters.partner_id)
    if filters.tier_id:
        partners = partners.filter(tier_id=filters.tier_id)
    if filters.territory_id:
        partners = partners.filter(territory_id=filters.territory_id)
    return partners


def rollup_scope(user, filters: Filters) -> Q | None:
    """The rows of the rollup (TenantMonth) that hold exactly this reader's figures, or
    None when only the partner-level summaries can answer.

    Vendor admins without partner, tier or territory filters read the vendor-wide rows; a
    CM reads
    the rows filed under them while RollupPartner matches today's assignments (checked
    once per request, see :func:`_portfolio_is_current`).
    """
    if filters.partner_id or filters.tier_id or filters.territory_id:
        return None
    scope = partner_scope(user, via="")
    if scope == Q():
        return VENDOR_WIDE
    if user.is_channel_manager and scope == Q(channel_manager=user) and _portfolio_is_current(user):
        return Q(channel_manager_id=user.pk, vendor_wide=False)
    return None


#: The rollup rows that add up every partner (see TenantMonth.vendor_wide).
VENDOR_WIDE = Q(vendor_wide=True)


def _portfolio_is_current(user) -> bool:
    """True when the partners filed under ``user`` in the rollup are exactly the partners
    assigned to them now. Otherwise the stale partners are queued for a refresh (at most
    every few minutes) and the caller falls back to the partner-level summaries."""
    cached = getattr(user, "_analytics_portfolio_current", None)
    if cached is not None:
        return cached
    from django.core.cache import cache
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id FROM partners_partner p
              LEFT JOIN analytics_rolluppartner r ON r.partner_id = p.id
             WHERE p.channel_manager_id = %(cm)s
               AND r.channel_manager_id IS DISTINCT FROM %(cm)s
            UNION
            SELECT r.partner_id FROM analytics_rolluppartner r
              JOIN partners_partner p ON p.id = r.partner_id
             WHERE r.channel_manager_id = %(cm)s
               AND p.channel_manager_id IS DISTINCT FROM %(cm)s
             LIMIT 1000
            """,
            {"cm": user.pk},
        )
        stale = [row[0] for row in cursor.fetchall()]
    if stale and cache.add(f"analytics:portfolio-refresh:{user.pk}", 1, 300):
        from reporting.analytics.services import queue_refresh

        queue_refresh(partner_ids=stale, deals=False)
    user._analytics_portfolio_current = not stale
    return not stale


def _sales(user, filters: Filters, *, products: bool = False) -> QuerySet:
    """Partner-level summary rows of the partners in scope (values keyed as the tenant
    rollup's: amount_reporting, quantity, line_count, unconverted_lines)."""
    return _in_scope(_sales_of_every_partner(filters, products=products), user, filters)


def _sales_of_every_partner(filters: Filters, *, products: bool = False) -> QuerySet:
    model = SalesMonthProduct if (products or filters.sku) else SalesMonth
    rows = model.objects.all()
    if filters.sku:
        rows = rows.filter(vendor_sku=filters.sku)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    return rows


def _tenant(filters: Filters, dimension: str, scope: Q) -> QuerySet:
    """Rollup rows of ``dimension`` ("total", "sku", "country") in ``scope`` (see
    rollup_scope); a product filter reads the product rows of that SKU instead of totals."""
    if filters.sku and dimension == "total":
        rows = TenantMonth.objects.filter(scope, dimension="sku", key=filters.sku)
    else:
        rows = TenantMonth.objects.filter(scope, dimension=dimension)
        if filters.sku and dimension == "sku":
            rows = rows.filter(key=filters.sku)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    return rows


def _totals_source(user, filters: Filters) -> QuerySet:
    scope = rollup_scope(user, filters)
    return _sales(user, filters) if scope is None else _tenant(filters, "total", scope)


def _in_scope(rows: QuerySet, user, filters: Filters) -> QuerySet:
    """Summary rows of the partners in scope. A reader who sees every partner, unfiltered,
    gets every row: the semi-join with 5,000 partners would cost a third of the query."""
    if rollup_scope(user, filters) == VENDOR_WIDE:
        return rows
    return rows.filter(partner__in=partners_in_scope(user, filters).values("pk"))


def _deals(user, filters: Filters) -> QuerySet:
    rows = _in_scope(DealMonth.objects.all(), user, filters)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    return rows


def _three_periods(filters: Filters) -> dict:
    period = filters.period
    return {
        "current": Sum("amount_reporting", filter=period.q(), default=ZERO),
        "previous": Sum("amount_reporting", filter=period.previous.q(), default=ZERO),
        "last_year": Sum("amount_reporting", filter=period.last_year.q(), default=ZERO),
    }


def _span(filters: Filters) -> Q:
    period = filters.period
    start = min(period.previous.start, period.last_year.start)
    return Q(month__gte=start, month__lte=period.end)


# --- Sales ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesTotals:
    current: Decimal
    previous: Decimal
    last_year: Decimal
    lines: int
    quantity: int
    unconverted_lines: int

    @property
    def growth(self):
        return growth(self.current, self.previous)

    @property
    def growth_last_year(self):
        return growth(self.current, self.last_year)


def sales_totals(user, filters: Filters) -> SalesTotals:
    period = filters.period.q()
    row = (
        _totals_source(user, filters)
        .filter(_span(filters))
        .aggregate(
            **_three_periods(filters),
            lines=Sum("line_count", filter=period, default=0),
            quantity=Sum("quantity", filter=period, default=0),
            unconverted=Sum("unconverted_lines", filter=period, default=0),
        )
    )
    return SalesTotals(
        row["current"],
        row["previous"],
        row["last_year"],
        row["lines"],
        row["quantity"],
        row["unconverted"],
    )


@dataclass(frozen=True)
class MonthRow:
    month: date
    amount: Decimal
    last_year: Decimal
    lines: int

    @property
    def growth_last_year(self):
        return growth(self.amount, self.last_year)


def sales_by_month(user, filters: Filters) -> list[MonthRow]:
    period = filters.period
    rows = (
        _totals_source(user, filters)
        .filter(Q(month__gte=period.last_year.start, month__lte=period.end))
        .values("month")
        .annotate(amount=Sum("amount_reporting"), lines=Sum("line_count"))
    )
    by_month = {row["month"]: row for row in rows}
    result = []
    for month in period.month_list():
        row = by_month.get(month, {})
        before = by_month.get(add_months(month, -12), {})
        result.append(
            MonthRow(
                month,
                row.get("amount") or ZERO,
                before.get("amount") or ZERO,
                row.get("lines") or 0,
            )
        )
    return result


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    partner_id: int
    name: str
    tier: str | None
    current: Decimal
    previous: Decimal
    last_year: Decimal
    share: Decimal | None

    @property
    def growth(self):
        return growth(self.current, self.previous)

    @property
    def growth_last_year(self):
        return growth(self.current, self.last_year)


def _ranking_rows(user, filters: Filters):
    return _ranked(_sales(user, filters), filters)


def _ranked(rows: QuerySet, filters: Filters) -> QuerySet:
    return (
        rows.filter(_span(filters))
        .values("partner_id")
        .annotate(**_three_periods(filters))
        .order_by("-current", "-previous", "partner_id")
    )


def _has_figures(row: dict) -> bool:
    return row["current"] > 0 or row["previous"] > 0 or row["last_year"] > 0


@dataclass(frozen=True)
class _Ranking:
    """Every partner ranked, as kept in the cache: ``size`` partners have summary rows in
    the span, ``rows`` are those with figures, ranked, as (partner id, current, previous,
    last year) with the amounts as text (turning 15,000 Decimals back from the cache
    cost 6 ms a request; only a page's rows are made Decimals again)."""

    size: int
    rows: list[tuple[int, str, str, str]]


def _vendor_ranking(filters: Filters) -> _Ranking:
    """Every partner with summary rows in the span, ranked, for a reader who sees every
    partner (the caller checked): ranking 5,000 partners reads 120,000 partner-month rows
    (80-300 ms), so the result is kept in the cache until the sales summaries change.

    The key holds the time of the last sales refresh, read *before* the rows: a refresh
    committing in between can only make the cached rows newer than their key, never
    older. ANALYTICS_RANKING_CACHE_SECONDS bounds what no refresh records (a deleted
    partner's rows); 0 turns the cache off.
    """
    from django.conf import settings
    from django.core.cache import cache

    seconds = getattr(settings, "ANALYTICS_RANKING_CACHE_SECONDS", 600)
    stamp = SummaryRefresh.objects.filter(name="sales").values_list("refreshed_at", flat=True)
    stamp = stamp.first()
    key = (
        f"analytics:ranking:{stamp.isoformat() if stamp else '-'}:{filters.period.start}:"
        f"{filters.period.end}:{filters.sku}:{filters.currency}"
    )
    ranking = cache.get(key) if seconds else None
    if not isinstance(ranking, _Ranking):  # absent, or kept by an older release
        rows = list(_ranked(_sales_of_every_partner(filters), filters))
        ranking = _Ranking(
            len(rows),
            [
                (r["partner_id"], str(r["current"]), str(r["previous"]), str(r["last_year"]))
                for r in rows
                if _has_figures(r)
            ],
        )
        if seconds:
            cache.set(key, ranking, seconds)
    return ranking


def warm_vendor_ranking() -> None:
    """Rank every partner for the dashboards' default period now (after a sales refresh,
    in the worker), so that the first vendor admin to open them does not wait for it."""
    _vendor_ranking(Filters(period=Period.last_months(12)))


def leaderboard(
    user, filters: Filters, *, limit: int | None = 10, offset: int = 0, total: Decimal | None = None
) -> list[LeaderRow]:
    """Partners by sales in the period, with growth; partners whose sales fell to nothing
    still show (they are the ones slipping). Aggregates by partner id first, then names
    the page's partners (two queries; for a reader of every partner, the ranking comes
    from the cache while the summaries have not changed)."""
    from partners.models import Partner

    if rollup_scope(user, filters) == VENDOR_WIDE:
        ranked = _vendor_ranking(filters).rows
        ranked = ranked[offset : offset + limit] if limit is not None else ranked
        rows = [
            {
                "partner_id": pk,
                "current": Decimal(current),
                "previous": Decimal(previous),
                "last_year": Decimal(last_year),
            }
            for pk, current, previous, last_year in ranked
        ]
    else:
        rows = _ranking_rows(user, filters).filter(
            Q(current__gt=0) | Q(previous__gt=0) | Q(last_year__gt=0)
        )
        if limit is not None:
            rows = rows[offset : offset + limit]
        rows = list(rows)
    names = {
        pk: (name, tier)
        for pk, name, tier in Partner.objects.filter(
            pk__in=[r["partner_id"] for r in rows]
        ).values_list("pk", "name", "tier__name")
    }
    result = []
    for position, row in enumerate(rows, start=offset + 1):
        share = (row["current"] * 100 / total).quantize(Decimal("0.1")) if total else None
        name, tier = names.get(row["partner_id"], ("", None))
        result.append(
            LeaderRow(
                position,
                row["partner_id"],
                name,
                tier,
                row["current"],
                row["previous"],
                row["last_year"],
                share,
            )
        )
    return result


def leaderboard_size(user, filters: Filters) -> int:
    if rollup_scope(user, filters) == VENDOR_WIDE:
        return _vendor_ranking(filters).size
    return _sales(user, filters).filter(_span(filters)).values("partner_id").distinct().count()


@dataclass(frozen=True)
class ProductRow:
    vendor_sku: str
    name: str
    amount: Decimal
    quantity: int
    previous: Decimal

    @property
    def growth(self):
        return growth(self.amount, self.previous)


def sales_by_product(user, filters: Filters, *, limit: int | None = 15) -> list[ProductRow]:
    from deals.models import Product

    period = filters.period
    scope = rollup_scope(user, filters)
    if scope is not None:
        source = _tenant(filters, "sku", scope).annotate(vendor_sku=F("key"))
    else:
        source = _sales(user, filters, products=True)
    rows = (
        source.filter(month__gte=period.previous.start, month__lte=period.end)
        .values("vendor_sku")
        .annotate(
            amount=Sum("amount_reporting", filter=period.q(), default=ZERO),
            quantity=Sum("quantity", filter=period.q(), default=0),
            previous=Sum("amount_reporting", filter=period.previous.q(), default=ZERO),
        )
        .filter(Q(amount__gt=0) | Q(quantity__gt=0) | Q(previous__gt=0))
        .order_by("-amount", "vendor_sku")
    )
    rows = list(rows[:limit] if limit else rows)
    names = dict(
        Product.objects.filter(vendor_sku__in=[r["vendor_sku"] for r in rows]).values_list(
            "vendor_sku", "name"
        )
    )
    return [
        ProductRow(
            r["vendor_sku"],
            names.get(r["vendor_sku"], ""),
            r["amount"],
            r["quantity"],
            r["previous"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class CountryRow:
    country: str
    amount: Decimal
    quantity: int
    lines: int


def sales_by_country(user, filters: Filters) -> list[CountryRow]:
    scope = rollup_scope(user, filters)
    if scope is not None and not filters.sku:
        source = _tenant(filters, "country", scope).annotate(country=F("key"))
    elif filters.sku:
        source = _sales(user, filters, products=True)
    else:
        source = _in_scope(SalesMonthCountry.objects.all(), user, filters)
        if filters.currency:
            source = source.filter(currency=filters.currency)
    rows = (
        source.filter(filters.period.q())
        .values("country")
        .annotate(amount=Sum("amount_reporting"), quantity=Sum("quantity"), lines=Sum("line_count"))
        .filter(lines__gt=0)  # rollup differences that cancel out leave nothing to show
        .order_by("-amount", "country")
    )
    return [CountryRow(r["country"], r["amount"], r["quantity"], r["lines"]) for r in rows]


# --- Deals ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRow:
    status: str
    label: str
    count: int
    value: Decimal


@dataclass(frozen=True)
class Pipeline:
    statuses: list[StatusRow]
    registered: int
    approved: int
    rejected: int
    won: int
    lost: int
    decided: int
    decision_seconds: int
    won_value: Decimal
    open_value: Decimal
    unconverted: int

    @property
    def approval_rate(self):
        return rate(self.approved, self.approved + self.rejected)

    @property
    def win_rate(self):
        return rate(self.won, self.won + self.lost)

    @property
    def decision_days(self) -> Decimal | None:
        if not self.decided:
            return None
        return (Decimal(self.decision_seconds) / self.decided / 86400).quantize(Decimal("0.1"))


def pipeline(user, filters: Filters) -> Pipeline:
    from deals.models import DealStatus

    if rollup_scope(user, filters) == VENDOR_WIDE:
        source = TenantDealMonth.objects.all()  # every partner's deals, a few rows a month
        if filters.currency:
            source = source.filter(currency=filters.currency)
    else:
        source = _deals(user, filters)
    rows = (
        source.filter(filters.period.q())
        .values("status")
        .annotate(
            count=Sum("deal_count"),
            value=Sum("expected_value_reporting"),
            won_value=Sum("final_amount_reporting"),
            decided=Sum("decided_count"),
            seconds=Sum("decision_seconds"),
            unconverted=Sum("unconverted_deals"),
        )
    )
    by_status = {row["status"]: row for row in rows}
    labels = dict(DealStatus.choices)

    def count(*statuses):
        return sum(by_status.get(s, {}).get("count") or 0 for s in statuses)

    statuses = [
        StatusRow(s, labels.get(s, s), by_status[s]["count"], by_status[s]["value"])
        for s in PIPELINE_ORDER
        if s in by_status
    ]
    return Pipeline(
        statuses=statuses,
        registered=count(*by_status),
        approved=count(*APPROVED_FAMILY),
        rejected=count("rejected"),
        won=count("won"),
        lost=count("lost"),
        decided=sum(row["decided"] or 0 for row in by_status.values()),
        decision_seconds=int(sum(row["seconds"] or 0 for row in by_status.values())),
        won_value=by_status.get("won", {}).get("won_value") or ZERO,
        open_value=sum(
            (
                by_status[s]["value"]
                for s in ("submitted", "more_information", "approved")
                if s in by_status
            ),
            ZERO,
        ),
        unconverted=sum(row["unconverted"] or 0 for row in by_status.values()),
    )


# --- Reporting health ----------------------------------------------------------------------


#: A month's report is due this many days after the month ends; later is late.
REPORT_DUE_DAYS = 15


@dataclass(frozen=True)
class HealthMonth:
    month: date
    lines: int
    late: bool

    @property
    def state(self) -> str:
        return "missing" if not self.lines else ("late" if self.late else "reported")


@dataclass(frozen=True)
class HealthRow:
    partner_id: int
    name: str
    months: list[HealthMonth]
    errors: int | None = None
    rows: int | None = None

    @property
    def missing(self) -> int:
        return sum(1 for m in self.months if not m.lines)

    @property
    def late(self) -> int:
        return sum(1 for m in self.months if m.lines and m.late)

    @property
    def error_rate(self):
        return rate(self.errors, self.rows) if self.rows else None


def _due(month: date):
    from datetime import datetime, time, timedelta

    return datetime.combine(
        add_months(month, 1) + timedelta(days=REPORT_DUE_DAYS), time.min, tzinfo=UTC
    )


def reporting_health(
    user, filters: Filters, *, months: int = 6, limit: int | None = None, offset: int = 0
) -> list[HealthRow]:
    """Which active partners reported lines for which of the last ``months`` months before
    the current one (a month is due once it is over), on time or late (first report after
    the 15th of the next month); on each page most missing first."""
    end = add_months(month_start(timezone.localdate()), -1)
    window = Period(add_months(end, -(months - 1)), end).month_list()
    partners = (
        partners_in_scope(user, filters)
        .filter(status="active")
        .order_by("name", "pk")
        .values_list("pk", "name")
    )
    partners = list(partners[offset : offset + limit] if limit else partners)
    ids = [pk for pk, _name in partners]
    reported = {}
    for row in (
        SalesMonth.objects.filter(partner_id__in=ids, month__gte=window[0], month__lte=window[-1])
        .values("partner_id", "month")
        .annotate(lines=Sum("line_count"), first=Min("first_reported_at"))
    ):
        late = row["first"] is not None and row["first"] > _due(row["month"])
        reported[(row["partner_id"], row["month"])] = (row["lines"], late)
    uploads = upload_errors(ids)
    rows = [
        HealthRow(
            pk,
            name,
            [HealthMonth(m, *reported.get((pk, m), (0, False))) for m in window],
            *uploads.get(pk, (None, None)),
        )
        for pk, name in partners
    ]
    return sorted(rows, key=lambda row: (-row.missing, -row.late))


def health_size(user, filters: Filters) -> int:
    return partners_in_scope(user, filters).filter(status="active").count()


def upload_errors(partner_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{partner: (error rows, total rows)} of their uploads."""
    from reporting.models import Upload

    if not partner_ids:
        return {}
    rows = (
        Upload.objects.filter(partner_id__in=partner_ids)
        .values("partner_id")
        .annotate(errors=Sum("error_rows"), total=Sum("rows_total"))
    )
    return {r["partner_id"]: (r["errors"] or 0, r["total"] or 0) for r in rows}


def summaries_refreshed_at():
    return dict(SummaryRefresh.objects.values_list("name", "refreshed_at"))


# --- Reconciliation ------------------------------------------------------------------------


def findings_visible_to(user) -> QuerySet[ReconciliationFinding]:
    """Vendor staff only (a conflict names another partner's registration)."""
    if not (user.is_authenticated and user.is_vendor_staff):
        return ReconciliationFinding.objects.none()
    return restrict_to_partners(ReconciliationFinding.objects.all(), user)


def finding_list(
    user, *, kind: str = "", status: str = "", partner_id: int | None = None
) -> QuerySet[ReconciliationFinding]:
    findings = findings_visible_to(user).select_related(
        "partner", "deal", "deal__partner", "decided_by"
    )
    if kind in FindingKind.values:
        findings = findings.filter(kind=kind)
    if status in FindingStatus.values:
        findings = findings.filter(status=status)
    if partner_id:
        findings = findings.filter(partner_id=partner_id)
    return findings.order_by(F("status").asc(), F("amount_reporting").desc(), "pk")


def _finding_counts_in_scope(user, partner_id: int | None) -> QuerySet[FindingCount]:
    """The kept counts (a few rows a partner) of the findings ``findings_visible_to``
    shows: counting 1.6 million findings of a large vendor took 0.2-0.5 s a page."""
    if not (user.is_authenticated and user.is_vendor_staff):
        return FindingCount.objects.none()
    counts = FindingCount.objects.all()
    if partner_scope(user, via="") != Q():
        counts = counts.filter(partner_id__in=partners_visible_to(user).values("pk"))
    if partner_id:
        counts = counts.filter(partner_id=partner_id)
    return counts


def finding_counts(user, *, partner_id: int | None = None) -> dict[str, int]:
    """Open findings by kind, of the partners ``user`` sees (or of ``partner_id``)."""
    rows = _finding_counts_in_scope(user, partner_id).filter(status=FindingStatus.OPEN)
    counts = {kind: 0 for kind in FindingKind.values}
    for row in rows.values("kind").annotate(total=Sum("n")):
        counts[row["kind"]] = row["total"]
    return counts


def finding_total(user, *, kind: str = "", status: str = "", partner_id: int | None = None) -> int:
    """How many findings ``finding_list`` lists with the same arguments."""
    rows = _finding_counts_in_scope(user, partner_id)
    if kind in FindingKind.values:
        rows = rows.filter(kind=kind)
    if status in FindingStatus.values:
        rows = rows.filter(status=status)
    return rows.aggregate(total=Sum("n", default=0))["total"]


def get_finding_for(user, pk: int) -> ReconciliationFinding:
    return get_object_or_404(findings_visible_to(user), pk=pk)


#: A run is queued with every note an import writes and takes seconds once the worker
#: reaches it. Notes older than this (of every partner in view) have no run coming
#: (lines deleted outside an import, a run that failed): the nightly run takes them,
#: and the pages say so instead of announcing an update that is not on its way.
RUN_EXPECTED_WITHIN = timedelta(minutes=15)
#: Partners named in the message; the others are counted ("and 3 more").
FRESHNESS_NAMES = 3


@dataclass(frozen=True)
class WaitingPartners:
    """Partners whose lines changed since their findings were computed."""

    names: list[str]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.names)


@dataclass(frozen=True)
class FindingsFreshness:
    """How current the findings of the partners in view are.

    ``as_of``: the oldest time their findings were brought up to date (every finding
    shown is at least that recent), ``latest`` the newest (a partner just reconciled);
    None when none of them was reconciled yet. ``updating``: partners with a run on its
    way (the page polls until there is none); ``nightly``: partners whose changes wait
    for the nightly run.
    """

    as_of: datetime | None
    latest: datetime | None
    updating: WaitingPartners
    nightly: WaitingPartners


_NOTHING_WAITING = WaitingPartners(names=[], count=0)


def findings_freshness(user, *, partner_id: int | None = None) -> FindingsFreshness:
    """Of the partners whose findings ``user`` sees (or of ``partner_id`` among them).
    Three queries at most, on a few rows each: the reconciled partners by primary key,
    the noted changes (a handful of rows between an import and its run) by partner."""
    if not (user.is_authenticated and user.is_vendor_staff):
        return FindingsFreshness(None, None, _NOTHING_WAITING, _NOTHING_WAITING)
    reconciled = ReconciledPartner.objects.all()
    changes = ReconciliationChange.objects.all()
    if partner_scope(user, via="") != Q():
        in_scope = partners_visible_to(user).values("pk")
        reconciled = reconciled.filter(partner_id__in=in_scope)
        changes = changes.filter(partner_id__in=in_scope)
    if partner_id:
        reconciled = reconciled.filter(partner_id=partner_id)
        changes = changes.filter(partner_id=partner_id)
    times = reconciled.aggregate(as_of=Min("findings_at"), latest=Max("findings_at"))
    noted = changes.order_by().values_list("partner_id").annotate(last=Max("noted_at"))
    # The most recently changed first: the partner just imported is the one to name.
    noted = sorted(noted, key=lambda row: row[1], reverse=True)
    expected_since = timezone.now() - RUN_EXPECTED_WITHIN
    updating = [pk for pk, last in noted if last >= expected_since]
    nightly = [pk for pk, last in noted if last < expected_since]
    named = updating[:FRESHNESS_NAMES] + nightly[:FRESHNESS_NAMES]
    names = {}
    if named:
        names = dict(partners_visible_to(user).filter(pk__in=named).values_list("pk", "name"))

    def waiting(ids: list[int]) -> WaitingPartners:
        shown = [names[pk] for pk in ids[:FRESHNESS_NAMES] if pk in names]
        return WaitingPartners(names=shown, count=len(ids))

    return FindingsFreshness(
        as_of=times["as_of"],
        latest=times["latest"],
        updating=waiting(updating),
        nightly=waiting(nightly),
    )


# --- Yearly sales for tier progress --------------------------------------------------------


def yearly_sales_source(partner_ids: list[int], since: date) -> dict[int, Decimal]:
    """partners.tiers source: sales since ``since`` in the reporting currency, per partner.

    Summaries are monthly: the month containing ``since`` counts from its next month.
    """
    start = add_months(month_start(since), 1)
    rows = (
        SalesMonth.objects.filter(partner_id__in=partner_ids, month__gte=start)
        .values("partner_id")
        .annotate(total=Sum("amount_reporting"))
    )
    return {r["partner_id"]: r["total"] for r in rows}


# --- Pages ---------------------------------------------------------------------------------


def dashboard(user, filters: Filters) -> dict:
    """Everything the vendor/CM dashboard shows, in a fixed number of queries."""
    totals = sales_totals(user, filters)
    return {
        "totals": totals,
        "months": sales_by_month(user, filters),
        "leaders": leaderboard(user, filters, limit=10, total=totals.current),
        "products": sales_by_product(user, filters, limit=10),
        "countries": sales_by_country(user, filters),
        "pipeline": pipeline(user, filters),
        "findings": finding_counts(user, partner_id=filters.partner_id),
        "refreshed": summaries_refreshed_at(),
    }


def scorecard(user, partner, filters: Filters) -> dict:
    """One partner's sales, deals, tier progress and reporting health (``partner`` was
    fetched through the user's scope by the caller)."""
    filters = filters.for_partner(partner.pk)
    totals = sales_totals(user, filters)
    health = reporting_health(user, filters, months=12)
    progress = tier_progress(
        partner,
        sales=yearly_sales_source(
            [partner.pk], add_months(month_start(timezone.localdate()), -12)
        ).get(partner.pk, ZERO),
    )
    return {
        "partner": partner,
        "totals": totals,
        "months": sales_by_month(user, filters),
        "products": sales_by_product(user, filters, limit=10),
        "countries": sales_by_country(user, filters),
        "pipeline": pipeline(user, filters),
        "health": health[0] if health else None,
        "progress": progress,
        "findings": finding_counts(user, partner_id=partner.pk),
        "refreshed": summaries_refreshed_at(),
    }


#: Findings that wait on a CM in their work queue (the oldest first).
WAITING_KINDS = (FindingKind.CONFLICT, FindingKind.WON_NO_SALE)


def findings_waiting_on(user, *, limit: int = 20):
    """Work-queue source (prm.core.extensions): open conflicts and won deals without sales
    of the user's partners (two queries)."""
    from django.urls import reverse

    from prm.core.extensions import QueueItem

    kinds = WAITING_KINDS
    waiting = findings_visible_to(user).filter(status=FindingStatus.OPEN, kind__in=kinds)
    total = (
        _finding_counts_in_scope(user, None)
        .filter(status=FindingStatus.OPEN, kind__in=kinds)
        .aggregate(total=Sum("n", default=0))["total"]
    )
    items = []
    if limit:
        url = reverse("analytics:reconciliation")
        for finding in waiting.select_related("partner").order_by("detected_at", "pk")[:limit]:
            items.append(
                QueueItem(
                    kind=str(FindingKind(finding.kind).label),
                    title=finding.end_customer or finding.partner.name,
                    url=f"{url}?kind={finding.kind}&partner={finding.partner_id}",
                    waiting_since=finding.detected_at,
                    detail=finding.partner.name,
                )
            )
    return items, total
