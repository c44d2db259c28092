"""Deal pages: the partner portal's registrations and the CM's review.

Thin views: read the form, call one service, redirect or render. Every deal is fetched
with ``get_deal_for(request.user, pk)`` (404 outside the user's scope); who may act is
checked again by the services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from deals import pricing, selectors, services
from deals.forms import (
    BulkApproveForm,
    CloseForm,
    DealFilterForm,
    DealForm,
    DecisionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    LineFormSet,
    VersionForm,
)
from deals.models import DealStatus
from prm.accounts.access import any_user_required, partner_user_required, vendor_staff_required
from prm.core import exports, money
from prm.core.http import post_action, query_without_page, wants_partial
from prm.tenancy.selectors import current_vendor

PAGE_SIZE = 25


def _stale() -> tuple[type[Exception], str]:
    """What a decision says when another user changed the deal first."""
    return (
        services.DealChanged,
        _(
            "Someone changed this registration while you were working on it. "
            "Check the latest version below and try again."
        ),
    )


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _sort_links(request: HttpRequest, current: str) -> dict[str, dict]:
    """Per sortable column: the URL that sorts by it (flipping the direction when it is
    the current sort) and its aria-sort state."""
    links = {}
    for key in selectors.DEAL_SORTS:
        query = request.GET.copy()
        query.pop("page", None)
        ascending = current == key
        query["sort"] = f"-{key}" if ascending else key
        state = "ascending" if ascending else "descending" if current == f"-{key}" else "none"
        links[key] = {"url": "?" + query.urlencode(), "state": state}
    return links


@any_user_required
def deal_list(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    deals = selectors.deal_list_for(request.user, filters=filters)
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    if request.user.is_vendor_staff:
        page.object_list = list(page.object_list)  # the template iterates these objects
        pricing.attach_reporting_values(page.object_list)
    context = {
        "page": page,
        "form": form,
        "query": query_without_page(request),
        "sorts": _sort_links(request, filters.get("sort", "")),
    }
    template = "deals/deal_list.html"
    if wants_partial(request):
        template += "#results"
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, template, context, status=status)


@any_user_required
def deal_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The deal list as filtered, as a CSV or XLSX file (spreadsheet-safe cells)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = DealFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("Check the filters and try again."))
    deals = selectors.deal_list_for(request.user, filters=form.filters())
    with_partner = not request.user.is_partner_user
    headers = [
        _("Customer"),
        _("Website or e-mail domain"),
        _("Country"),
        *([_("Partner")] if with_partner else []),
        _("Status"),
        _("Expected value"),
        _("Currency"),
        _("Expected close"),
        _("Protected until"),
        _("Registered"),
    ]
    rows = [
        [
            deal.customer_name,
            deal.customer_domain,
            deal.customer_country,
            *([deal.partner.name] if with_partner else []),
            deal.get_status_display(),
            deal.expected_value,
            deal.currency,
            deal.expected_close_date,
            deal.protected_until,
            timezone.localtime(deal.created_at).date(),
        ]
        for deal in deals.iterator(chunk_size=2000)
    ]
    table = exports.Table(name=str(_("Deals")), headers=[str(h) for h in headers], rows=rows)
    filename = f"deals-{timezone.localdate():%Y-%m-%d}"
    return exports.response(table, filename=filename, fmt=fmt)


@partner_user_required
def deal_create(request: HttpRequest) -> HttpResponse:
    form = DealForm(request.POST or None)
    partner = request.user.partner
    lines = LineFormSet(
        request.POST or None, prefix="lines", currency=partner.currency, tier_id=partner.tier_id
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            deal = services.deal_create(
                user=request.user, data=form.to_input(), lines=lines.lines()
            )
            if "submit" in request.POST:
                services.deal_submit(
                    user=request.user, deal_id=deal.pk, expected_version=deal.version
                )
                messages.success(
                    request, _("Registration submitted. The channel manager will review it.")
                )
            else:
                messages.success(request, _("Draft saved. Submit it when it is complete."))
            return redirect("deals:detail", pk=deal.pk)
        except ValidationError as error:
            form.add_error(None, error)
    context = {"form": form, "lines": lines, "deal": None, "currency": partner.currency}
    return render(request, "deals/deal_form.html", context)


@partner_user_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)
    if deal.status not in services.EDITABLE_STATUSES:
        messages.info(request, _("This registration can no longer be edited."))
        return redirect("deals:detail", pk=deal.pk)
    pricing_of_deal = {
        "currency": deal.currency,
        "tier_id": deal.partner.tier_id,
        "day": pricing.registration_day(deal),
    }
    if request.method == "POST":
        form = DealForm(request.POST)
        lines = LineFormSet(request.POST, prefix="lines", **pricing_of_deal)
        if form.is_valid() and lines.is_valid():
            try:
                deal = services.deal_update(
                    user=request.user,
                    deal_id=deal.pk,
                    expected_version=form.cleaned_data["version"] or 0,
                    data=form.to_input(),
                    lines=lines.lines(),
                )
                if "submit" in request.POST:
                    services.deal_submit(
                        user=request.user, deal_id=deal.pk, expected_version=deal.version
                    )
                    messages.success(
                        request, _("Registration submitted. The channel manager will review it.")
                    )
                else:
                    messages.success(request, _("Changes saved."))
                return redirect("deals:detail", pk=deal.pk)
            except services.DealChanged:
                messages.error(request, _stale()[1])
                return redirect("deals:detail", pk=deal.pk)
            except ValidationError as error:
                form.add_error(None, error)
    else:
        initial = {
            field: getattr(deal, field)
            for field in DealForm.base_fields
            if field not in ("version", "expected_value")
        }
        initial["version"] = deal.version
        if deal.value_overridden:
            initial["expected_value"] = deal.expected_value
        form = DealForm(initial=initial)
        lines = LineFormSet(
            prefix="lines",
            initial=[
                {
                    "product": line.product,
                    "quantity": line.quantity,
                    # Only a price the partner quoted; the list price is shown beside it.
                    "unit_price": None if line.unit_price == line.list_price else line.unit_price,
                }
                for line in deal.lines.all()
            ],
            **pricing_of_deal,
        )
    context = {"form": form, "lines": lines, "deal": deal, "currency": deal.currency}
    return render(request, "deals/deal_form.html", context)


@any_user_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)
    user = request.user
    if user.is_vendor_staff:
        rates = money.load_rates()
        deal.value_reporting = pricing.in_reporting(deal, rates)
        if deal.final_amount is not None and rates is not None:
            final = money.Money(deal.final_amount, deal.currency)
            day = deal.closed_on or pricing.value_day(deal)
            deal.final_reporting = final.convert(rates.reporting, day=day, rates=rates)
    context = {
        "deal": deal,
        "history": selectors.history_of(deal),
        "conflicts": selectors.conflicts_for(user, deal),
        "can_decide": user.is_vendor_staff and services.can_decide(user, deal),
        "can_edit": user.is_partner_user and services.can_edit_as_partner(user, deal),
        "editable": deal.status in services.EDITABLE_STATUSES,
        "decidable": services.allowed(deal, "approve"),
        "rejectable": services.allowed(deal, "reject"),
        "closable": services.allowed(deal, "close_won"),
        "extendable": deal.status == DealStatus.APPROVED
        and not deal.extension_requested_until
        and deal.protected_until >= timezone.localdate(),
        "decision_form": DecisionForm(initial={"version": deal.version}),
        "close_form": CloseForm(initial={"version": deal.version}),
        "extension_form": ExtensionRequestForm(initial={"version": deal.version}),
        "extension_decision_form": ExtensionDecisionForm(initial={"version": deal.version}),
    }
    if request.htmx and request.GET.get("partial") == "conflicts":
        return render(request, "deals/deal_detail.html#conflicts", context)
    return render(request, "deals/deal_detail.html", context)


@partner_user_required
@require_POST
def deal_submit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)

    def act(data) -> str:
        services.deal_submit(user=request.user, deal_id=deal.pk, expected_version=data["version"])
        return _("Registration submitted. The channel manager will review it.")

    return post_action(
        request,
        form=VersionForm(request.POST),
        act=act,
        then=redirect("deals:detail", pk=deal.pk),
        stale=_stale(),
    )


@vendor_staff_required
@require_POST
def deal_bulk_approve(request: HttpRequest) -> HttpResponse:
    """Approve the registrations ticked in the review queue (only conflict-free ones)."""
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("deals:review_queue")
    approved, skipped = services.deal_bulk_approve(
        user=request.user, deal_ids=form.cleaned_data["deal"]
    )
    if approved:
        messages.success(
            request,
            ngettext(
                "%(count)d registration approved.", "%(count)d registrations approved.", approved
            )
            % {"count": approved},
        )
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d registration was not approved: it changed or has a conflict "
                "meanwhile. Open it to decide.",
                "%(count)d registrations were not approved: they changed or have a conflict "
                "meanwhile. Open them to decide.",
                skipped,
            )
            % {"count": skipped},
        )
    return redirect("deals:review_queue")


@vendor_staff_required
@require_POST
def deal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)

    def act(data) -> str:
        action, version, comment = data["action"], data["version"], data["comment"]
        if action == "approve":
            services.deal_approve(
                user=request.user, deal_id=deal.pk, expected_version=version, comment=comment
            )
            return _("Approved. The partner's protection period has started.")
        if action == "reject":
            services.deal_reject(
                user=request.user, deal_id=deal.pk, expected_version=version, reason=comment
            )
            return _("Rejected. The partner has been told why.")
        services.deal_request_information(
            user=request.user, deal_id=deal.pk, expected_version=version, question=comment
        )
        return _("Returned to the partner with your question.")

    return post_action(
        request,
        form=DecisionForm(request.POST),
        act=act,
        then=redirect("deals:detail", pk=deal.pk),
        stale=_stale(),
    )


@vendor_staff_required
@require_POST
def deal_check_conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)
    try:
        services.deal_check_conflicts(user=request.user, deal_id=deal.pk)
    except ValidationError as error:
        _refused(request, error)
    if request.htmx:
        context = {"deal": deal, "conflicts": selectors.conflicts_for(request.user, deal)}
        return render(request, "deals/deal_detail.html#conflicts", context)
    messages.success(request, _("Conflicts checked again."))
    return redirect("deals:detail", pk=deal.pk)


@partner_user_required
@require_POST
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)

    def act(data) -> str:
        if data["outcome"] == "won":
            services.deal_close_won(
                user=request.user,
                deal_id=deal.pk,
                expected_version=data["version"],
                final_amount=data["final_amount"],
                closed_on=data["closed_on"],
            )
            return _("Closed as won. Congratulations!")
        services.deal_close_lost(
            user=request.user,
            deal_id=deal.pk,
            expected_version=data["version"],
            reason=data["reason"],
            closed_on=data["closed_on"],
        )
        return _("Closed as lost.")

    return post_action(
        request,
        form=CloseForm(request.POST),
        act=act,
        then=redirect("deals:detail", pk=deal.pk),
        stale=_stale(),
    )


@partner_user_required
@require_POST
def deal_request_extension(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)

    def act(data) -> str:
        services.deal_request_extension(
            user=request.user,
            deal_id=deal.pk,
            expected_version=data["version"],
            until=data["until"],
            reason=data["reason"],
        )
        return _("Extension requested. The channel manager will decide.")

    return post_action(
        request,
        form=ExtensionRequestForm(request.POST),
        act=act,
        then=redirect("deals:detail", pk=deal.pk),
        stale=_stale(),
    )


@vendor_staff_required
@require_POST
def deal_decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    deal = selectors.get_deal_for(request.user, pk)

    def act(data) -> str:
        services.deal_decide_extension(
            user=request.user,
            deal_id=deal.pk,
            expected_version=data["version"],
            grant=data["grant"],
            comment=data["comment"],
        )
        return _("Extension decided. The partner has been told.")

    return post_action(
        request,
        form=ExtensionDecisionForm(request.POST),
        act=act,
        then=redirect("deals:detail", pk=deal.pk),
        stale=_stale(),
    )


@vendor_staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """The CM's queue: submitted registrations of their partners, oldest first, a page at
    a time."""
    target = current_vendor().review_target_days
    today = timezone.localdate()
    page = Paginator(selectors.review_queue_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)  # the template iterates these objects
    pricing.attach_reporting_values(page.object_list)
    rows = []
    for deal in page:
        waited = services.business_days_between(timezone.localdate(deal.submitted_at), today)
        rows.append(
            {
                "deal": deal,
                "waited": waited,
                "overdue": waited > target,
                "bulk": deal.conflicts_checked_at is not None and deal.conflict_score is None,
            }
        )
    context = {
        "page": page,
        "query": query_without_page(request),
        "rows": rows,
        "target": target,
        "extensions": selectors.extension_requests_for(request.user),
    }
    template = "deals/review_queue.html"
    if wants_partial(request):
        template += "#results"
    return render(request, template, context)


@any_user_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from deals.notifications import render as render_notification

    items = [
        {"notification": item, "text": render_notification(item)}
        for item in selectors.notifications_for(request.user)[:100]
    ]
    unread = [entry["notification"].pk for entry in items if entry["notification"].read_at is None]
    response = render(request, "deals/notifications.html", {"items": items})
    if unread:
        selectors.notifications_for(request.user).filter(pk__in=unread).update(
            read_at=timezone.now()
        )
    return response
