"""Dashboards, leaderboard, scorecards, reconciliation, exchange rates and exports.

Thin views: read the filters, call a selector or service, render. Scope is decided by the
selectors (starting from ``request.user``); an htmx request gets the page's partial.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import get_partner_for
from prm.accounts.access import (
    partner_admin_required,
    vendor_admin_required,
    vendor_staff_required,
)
from prm.core.http import query_without_page, wants_partial
from reporting.analytics import charts, selectors, services
from reporting.analytics.exports import response as export_response
from reporting.analytics.forms import (
    DashboardFilterForm,
    ExchangeRateForm,
    FindingDecisionForm,
    FindingFilterForm,
    RateImportForm,
)
from reporting.analytics.models import ExchangeRate
from reporting.analytics.tables import EXPORTS, findings_rows

PAGE_SIZE = 50
MAX_RATE_FILE_BYTES = 1_000_000


def _template(request: HttpRequest, page: str, partial: str) -> str:
    if wants_partial(request):
        return f"analytics/{page}#{partial}"
    return f"analytics/{page}"


#: The id of the element saying how current the findings are (analytics/_freshness.html).
FRESHNESS_ELEMENT = "findings-freshness"


def _freshness_poll(request: HttpRequest, page: str, freshness) -> HttpResponse | None:
    """The answer to the freshness element's own htmx poll: that part of ``page`` only
    (no findings or figures read), with a reload of the page's body once no run is on its
    way any more. None for any other request."""
    if not (wants_partial(request) and request.htmx.target == FRESHNESS_ELEMENT):
        return None
    context = {"freshness": freshness, "reload": not freshness.updating.count}
    return render(request, f"analytics/{page}#freshness", context)


def _charts(data: dict, currency: str) -> dict:
    result = {"months": charts.months_chart(data["months"], currency)}
    result["products"] = charts.bars_chart(
        [p.vendor_sku for p in data["products"]],
        [p.amount for p in data["products"]],
        label=_("Sales"),
        currency=currency,
    )
    result["countries"] = charts.bars_chart(
        [c.country or "?" for c in data["countries"]],
        [c.amount for c in data["countries"]],
        label=_("Sales"),
        currency=currency,
    )
    result["pipeline"] = charts.bars_chart(
        [s.label for s in data["pipeline"].statuses],
        [s.count for s in data["pipeline"].statuses],
        label=_("Registrations"),
    )
    return result


def _page_context(request, form, data: dict) -> dict:
    currency = services.reporting_currency()
    return {
        "form": form,
        "currency": currency,
        "charts": _charts(data, currency),
        "query": query_without_page(request),
        **data,
    }


@vendor_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET, user=request.user)
    filters = form.filters()
    data = selectors.dashboard(request.user, filters)
    context = _page_context(request, form, data) | {"filters": filters}
    return render(request, _template(request, "dashboard.html", "body"), context)


class _LazyLeaderboard:
    """Leaderboard rows for the paginator: counts and slices in the database."""

    def __init__(self, user, filters, total):
        self.user, self.filters, self.total = user, filters, total

    def count(self) -> int:
        return selectors.leaderboard_size(self.user, self.filters)

    def __getitem__(self, item: slice):
        return selectors.leaderboard(
            self.user,
            self.filters,
            limit=item.stop - item.start,
            offset=item.start,
            total=self.total,
        )


@vendor_staff_required
def leaderboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET, user=request.user)
    filters = form.filters()
    totals = selectors.sales_totals(request.user, filters)
    rows = _LazyLeaderboard(request.user, filters, totals.current)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "totals": totals,
        "filters": filters,
        "currency": services.reporting_currency(),
        "query": query_without_page(request),
        "quality": _quality_scores(request.user, filters, page.object_list),
    }
    return render(request, _template(request, "leaderboard.html", "rows"), context)


def _quality_scores(user, filters, rows) -> dict | None:
    """Data-quality score of each listed partner for the period's last month (one query)."""
    from reporting.quality.selectors import scores_for

    return scores_for(user, filters.period.end, [row.partner_id for row in rows])


@vendor_staff_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    freshness = selectors.findings_freshness(request.user, partner_id=partner.pk)
    if poll := _freshness_poll(request, "scorecard.html", freshness):
        return poll
    form = DashboardFilterForm(request.GET, user=request.user, with_partner=False)
    data = selectors.scorecard(request.user, partner, form.filters(partner_id=partner.pk))
    context = _page_context(request, form, data) | {"portal": False, "freshness": freshness}
    return render(request, _template(request, "scorecard.html", "body"), context)


@partner_admin_required
def my_scorecard(request: HttpRequest) -> HttpResponse:
    partner = get_partner_for(request.user, request.user.partner.pk)
    form = DashboardFilterForm(request.GET, user=request.user, with_partner=False)
    data = selectors.scorecard(request.user, partner, form.filters(partner_id=partner.pk))
    context = _page_context(request, form, data) | {"portal": True}
    return render(request, _template(request, "scorecard.html", "body"), context)


def _export(request: HttpRequest, table: str, fmt: str, *, partner_id=None) -> HttpResponse:
    export = EXPORTS.get(table)
    if export is None or fmt not in ("csv", "xlsx"):
        raise Http404
    if partner_id is not None and not export.for_partners:
        raise Http404
    form = DashboardFilterForm(request.GET, user=request.user, with_partner=partner_id is None)
    filters = form.filters(partner_id=partner_id)
    result = export.build(request.user, filters)
    filename = f"{table}-{filters.period.start:%Y-%m}-{filters.period.end:%Y-%m}"
    return export_response(result, filename=filename, fmt=fmt)


@vendor_staff_required
def export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _export(request, table, fmt)


@partner_admin_required
def my_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    return _export(request, table, fmt, partner_id=request.user.partner.pk)


@vendor_staff_required
def health(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET, user=request.user)
    filters = form.filters()
    paginator = Paginator(range(selectors.health_size(request.user, filters)), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.reporting_health(
        request.user,
        filters,
        limit=PAGE_SIZE,
        offset=page.start_index() - 1 if page.object_list else 0,
    )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query_without_page(request),
        "months": rows[0].months if rows else [],
    }
    return render(request, _template(request, "health.html", "rows"), context)


class _CountedFindings:
    """Findings for the paginator, counted from the kept counts (not a COUNT(*) of
    every finding in scope) and sliced in the database."""

    def __init__(self, findings, total: int):
        self.findings, self.total = findings, total

    def count(self) -> int:
        return self.total

    def __getitem__(self, item: slice):
        return self.findings[item]


@vendor_staff_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    form = FindingFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    freshness = selectors.findings_freshness(request.user, partner_id=filters["partner_id"])
    if poll := _freshness_poll(request, "reconciliation.html", freshness):
        return poll
    findings = _CountedFindings(
        selectors.finding_list(request.user, **filters),
        selectors.finding_total(request.user, **filters),
    )
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "counts": selectors.finding_counts(request.user, partner_id=filters["partner_id"]),
        "freshness": freshness,
        "currency": services.reporting_currency(),
    }
    return render(request, _template(request, "reconciliation.html", "rows"), context)


@vendor_staff_required
def findings_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The reconciliation list as filtered, every page of it, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = FindingFilterForm(request.GET or None, user=request.user)
    findings = selectors.finding_list(request.user, **form.filters())
    table = findings_rows(findings.iterator(chunk_size=2000))
    filename = f"reconciliation-{timezone.localdate():%Y-%m-%d}"
    return export_response(table, filename=filename, fmt=fmt)


@require_POST
@vendor_staff_required
def finding_decide(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.get_finding_for(request.user, pk)  # 404 outside the scope
    form = FindingDecisionForm(request.POST)
    if form.is_valid():
        finding = services.finding_decide(
            user=request.user,
            finding_id=finding.pk,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )
    if request.htmx:
        return render(
            request,
            "analytics/reconciliation.html#finding",
            {"finding": finding, "currency": services.reporting_currency()},
        )
    if form.is_valid():
        messages.success(
            request, _("Finding marked “%(status)s”.") % {"status": finding.get_status_display()}
        )
    else:
        messages.error(request, _("Choose confirm or dismiss, then send again."))
    return redirect("analytics:reconciliation")


def _rates_page(request: HttpRequest, form: ExchangeRateForm) -> HttpResponse:
    context = {
        "form": form,
        "import_form": RateImportForm(),
        "rates": ExchangeRate.objects.select_related("updated_by")[:500],
        "currency": services.reporting_currency(),
    }
    return render(request, "analytics/rates.html", context)


@vendor_staff_required
def rates(request: HttpRequest) -> HttpResponse:
    return _rates_page(request, ExchangeRateForm())


@vendor_admin_required
@require_POST
def rate_create(request: HttpRequest) -> HttpResponse:
    """Add a rate (its own URL, so the authorization matrix covers the write)."""
    form = ExchangeRateForm(request.POST)
    if form.is_valid():
        try:
            services.exchange_rate_save(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rate saved. Dashboards are being recalculated."))
            return redirect("analytics:rates")
    return _rates_page(request, form)


@vendor_admin_required
def rate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    form = ExchangeRateForm(request.POST or None, instance=rate)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_rate_save(user=request.user, rate_id=rate.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Rate saved. Dashboards are being recalculated."))
            return redirect("analytics:rates")
    return render(request, "analytics/rate_edit.html", {"form": form, "rate": rate})


@require_POST
@vendor_admin_required
def rate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate, pk=pk)
    services.exchange_rate_delete(user=request.user, rate_id=rate.pk)
    messages.success(request, _("Rate deleted. Dashboards are being recalculated."))
    return redirect("analytics:rates")


@require_POST
@vendor_admin_required
def rates_import(request: HttpRequest) -> HttpResponse:
    form = RateImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file with currency,rate,valid_from columns."))
        return redirect("analytics:rates")
    upload = form.cleaned_data["file"]
    if upload.size > MAX_RATE_FILE_BYTES:
        messages.error(request, _("The file is larger than 1 MB: split it and import the parts."))
        return redirect("analytics:rates")
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("Save the file as UTF-8 CSV and import it again."))
        return redirect("analytics:rates")
    result = services.exchange_rates_import(user=request.user, text=text)
    if result.errors:
        messages.error(
            request,
            _("Nothing was imported. Correct these lines and try again: %(errors)s")
            % {"errors": "; ".join(result.errors)},
        )
    else:
        messages.success(
            request,
            _("%(count)d rates imported. Dashboards are being recalculated.")
            % {"count": result.saved},
        )
    return redirect("analytics:rates")


def partner_section(request: HttpRequest, partner):
    """Section of the vendor's partner page (registered in analytics.hooks):
    sales of the last 12 months and deal rates, with a link to the scorecard."""
    if not request.user.is_vendor_staff:
        return None
    filters = selectors.Filters(period=selectors.Period.last_months(12), partner_id=partner.pk)
    context = {
        "partner": partner,
        "totals": selectors.sales_totals(request.user, filters),
        "pipeline": selectors.pipeline(request.user, filters),
        "currency": services.reporting_currency(),
    }
    return (_("Scorecard"), "analytics/_partner_section.html", context)
