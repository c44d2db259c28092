"""Vendor-side partner pages (vendor admins and channel managers)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.selectors import get_partner_for, partners_visible_to
from prm.accounts.access import vendor_staff_required


@vendor_staff_required
def partner_list(request: HttpRequest) -> HttpResponse:
    partners = partners_visible_to(request.user).select_related("channel_manager")
    return render(request, "partners/partner_list.html", {"partners": partners})


@vendor_staff_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_partner_for(request.user, pk)
    return render(request, "partners/partner_detail.html", {"partner": partner})
