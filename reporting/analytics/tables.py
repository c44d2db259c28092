"""Every dashboard table as plain rows, for CSV/XLSX exports.

Each builder takes the acting user and the filters and reads through the selectors, so
an export shows exactly what the page shows to that user, never more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reporting.analytics import selectors
from reporting.analytics.exports import Table
from reporting.analytics.models import ExchangeRate
from reporting.analytics.selectors import Filters

EXPORT_ROW_LIMIT = 100_000


def months_table(user, filters: Filters) -> Table:
    rows = selectors.sales_by_month(user, filters)
    return Table(
        _("Sales by month"),
        [
            _("Month"),
            _("Sales"),
            _("Same month last year"),
            _("Change %"),
            _("Lines"),
        ],
        [
            [r.month.strftime("%Y-%m"), r.amount, r.last_year, r.growth_last_year, r.lines]
            for r in rows
        ],
    )


def partners_table(user, filters: Filters) -> Table:
    total = selectors.sales_totals(user, filters).current
    rows = selectors.leaderboard(user, filters, limit=EXPORT_ROW_LIMIT, total=total)
    return Table(
        _("Leaderboard"),
        [
            _("Rank"),
            _("Partner"),
            _("Tier"),
            _("Sales"),
            _("Previous period"),
            _("Change %"),
            _("Same period last year"),
            _("Change vs last year %"),
            _("Share %"),
        ],
        [
            [
                r.rank,
                r.name,
                r.tier or "",
                r.current,
                r.previous,
                r.growth,
                r.last_year,
                r.growth_last_year,
                r.share,
            ]
            for r in rows
        ],
    )


def products_table(user, filters: Filters) -> Table:
    rows = selectors.sales_by_product(user, filters, limit=None)
    return Table(
        _("Sales by product"),
        [
            _("SKU"),
            _("Product"),
            _("Sales"),
            _("Quantity"),
            _("Previous period"),
            _("Change %"),
        ],
        [[r.vendor_sku, r.name, r.amount, r.quantity, r.previous, r.growth] for r in rows],
    )


def countries_table(user, filters: Filters) -> Table:
    rows = selectors.sales_by_country(user, filters)
    return Table(
        _("Sales by country"),
        [
            _("Country"),
            _("Sales"),
            _("Quantity"),
            _("Lines"),
        ],
        [[r.country, r.amount, r.quantity, r.lines] for r in rows],
    )


def pipeline_table(user, filters: Filters) -> Table:
    result = selectors.pipeline(user, filters)
    return Table(
        _("Deal pipeline"),
        [_("Status"), _("Registrations"), _("Value")],
        [[r.label, r.count, r.value] for r in result.statuses],
    )


def health_table(user, filters: Filters) -> Table:
    rows = selectors.reporting_health(user, filters, limit=EXPORT_ROW_LIMIT)
    months = [m.month.strftime("%Y-%m") for m in rows[0].months] if rows else []
    return Table(
        _("Reporting health"),
        [_("Partner"), *months, _("Months missing"), _("Months late"), _("Error rate %")],
        [
            [
                r.name,
                *[m.lines if not m.late else f"{m.lines} ({_('late')})" for m in r.months],
                r.missing,
                r.late,
                r.error_rate,
            ]
            for r in rows
        ],
    )


def findings_table(user, filters: Filters) -> Table:
    findings = selectors.finding_list(user, partner_id=filters.partner_id)[:EXPORT_ROW_LIMIT]
    return findings_rows(findings)


def findings_rows(findings) -> Table:
    """Reconciliation findings as a table (the dashboard's export and the filtered list's)."""
    return Table(
        _("Reconciliation"),
        [
            _("Finding"),
            _("Status"),
            _("Partner"),
            _("End customer"),
            _("Country"),
            _("Registration"),
            _("Registered by"),
            _("Products"),
            _("First invoice"),
            _("Last invoice"),
            _("Lines"),
            _("Amount"),
            _("Name similarity"),
        ],
        [
            [
                f.get_kind_display(),
                f.get_status_display(),
                f.partner.name,
                f.end_customer,
                f.country,
                f.deal.customer_name if f.deal else "",
                f.deal.partner.name if f.deal else "",
                " ".join(f.products),
                f.first_invoice_date,
                f.last_invoice_date,
                f.line_count,
                f.amount_reporting,
                f.name_score,
            ]
            for f in findings
        ],
    )


def rates_table(user, filters: Filters) -> Table:
    rows = ExchangeRate.objects.order_by("currency", "-valid_from")[:EXPORT_ROW_LIMIT]
    return Table(
        _("Exchange rates"),
        [_("Currency"), _("In currency"), _("Rate"), _("Valid from")],
        [[r.currency, r.quote_currency, r.rate, r.valid_from] for r in rows],
    )


@dataclass(frozen=True)
class Export:
    build: Callable[..., Table]
    for_partners: bool  # partner admins may export it for their own partner


EXPORTS: dict[str, Export] = {
    "months": Export(months_table, True),
    "products": Export(products_table, True),
    "countries": Export(countries_table, True),
    "pipeline": Export(pipeline_table, True),
    "partners": Export(partners_table, False),
    "health": Export(health_table, False),
    "findings": Export(findings_table, False),
    "rates": Export(rates_table, False),
}


def month_label(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")
