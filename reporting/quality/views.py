"""Channel data quality pages: a partner's reporting calendar and data-quality scores with
what to fix (partner admin and vendor staff), nothing-sold declarations, cadence settings,
and confirming held duplicates as true repeats. Thin views: scope comes from selectors
(foreign ids answer 404), writes from services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partners.selectors import get_partner_for
from prm.accounts.access import (
    report_user_required,
    vendor_admin_required,
    vendor_staff_required,
)
from reporting import selectors as report_selectors
from reporting.quality import cadence as cadences
from reporting.quality import registry, selectors, services
from reporting.quality.forms import CadenceForm, NothingSoldForm, RepeatForm
from reporting.quality.scoring import reason_text


@report_user_required
def partner_quality(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    cadence = cadences.cadences_for([partner])[partner.pk]
    scores = [
        {
            "month": row.month,
            "score": row.score,
            "figures": row.figures,
            "reasons": [reason_text(reason) for reason in row.reasons],
        }
        for row in selectors.latest_scores_for(request.user, partner)
    ]
    return render(
        request,
        "quality/partner.html",
        {
            "partner": partner,
            "cadence": cadence,
            "calendar": selectors.calendar_for(request.user, partner),
            "scores": scores,
            "two_tier": selectors.two_tier_lines_for(request.user, partner),
            "may_edit_cadence": request.user.is_vendor_staff,
        },
    )


@require_POST
@report_user_required
def nothing_sold(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    form = NothingSoldForm(request.POST)
    if form.is_valid():
        try:
            services.nothing_sold_declare(
                user=request.user, partner=partner, period_start=form.cleaned_data["period_start"]
            )
            messages.success(request, _("Thank you: that period is recorded as nothing sold."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
    else:
        messages.error(request, _("Choose the period that had no sales."))
    return redirect("quality:partner", pk=partner.pk)


@vendor_staff_required
def cadence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    current = cadences.cadences_for([partner])[partner.pk]
    form = CadenceForm(
        request.POST or None,
        initial={
            "frequency": current.frequency,
            "due_business_days": current.due_business_days,
            "remind_days_before": current.remind_days_before,
            "repeat_every_days": current.repeat_every_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.cadence_save(user=request.user, partner=partner, **form.cleaned_data)
        messages.success(request, _("The reporting cadence is saved."))
        return redirect("quality:partner", pk=partner.pk)
    return render(request, "quality/cadence.html", {"partner": partner, "form": form})


@vendor_admin_required
def programme_cadence(request: HttpRequest) -> HttpResponse:
    """The programme default: every partner without a cadence of its own follows it."""
    current = cadences.programme_default()
    form = CadenceForm(
        request.POST or None,
        initial={
            "frequency": current.frequency,
            "due_business_days": current.due_business_days,
            "remind_days_before": current.remind_days_before,
            "repeat_every_days": current.repeat_every_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.cadence_save(user=request.user, partner=None, **form.cleaned_data)
        messages.success(request, _("The reporting cadence is saved."))
        return redirect("quality:programme_cadence")
    return render(request, "quality/cadence.html", {"partner": None, "form": form})


@require_POST
@report_user_required
def repeats_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = report_selectors.get_upload_for(request.user, pk)
    held = list(selectors.held_lines_of(upload).values_list("source_row", flat=True))
    form = RepeatForm(request.POST, held_rows=held)
    if form.is_valid():
        moved = services.repeats_confirm(
            user=request.user, upload_id=upload.pk, source_rows=form.cleaned_data["rows"]
        )
        messages.success(request, _("%(count)d rows now count as repeat sales.") % {"count": moved})
    else:
        messages.error(request, _("Tick the rows that are true repeat sales."))
    return redirect(reverse("reporting:detail", kwargs={"pk": upload.pk}) + "#duplicates")


@vendor_staff_required
def customer_review(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.spellings_to_review(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "quality/customer_review.html", {"page": page})


@require_POST
@vendor_staff_required
def customer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    spelling = selectors.get_spelling_for(request.user, pk)
    try:
        registry.review_decide(
            user=request.user, name_id=spelling.pk, same=request.POST.get("same") == "yes"
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("quality:customer_review")


def partner_section(request: HttpRequest, partner):
    """Section of the vendor's partner page (registered in reporting.quality.hooks): the
    reporting calendar of the last periods and the latest data-quality score."""
    if not request.user.is_vendor_staff:
        return None
    latest = selectors.latest_scores_for(request.user, partner, months=1)
    return (
        _("Reporting calendar"),
        "quality/_partner_section.html",
        {
            "partner": partner,
            "calendar": selectors.calendar_for(request.user, partner)[:6],
            "latest": latest[0] if latest else None,
            "reasons": [reason_text(r) for r in latest[0].reasons] if latest else [],
        },
    )
