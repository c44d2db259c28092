"""The channel manager's workspace (vendor admins see the whole channel)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partners.selectors import partners_visible_to
from prm.accounts.access import vendor_staff_required


@vendor_staff_required
def workspace(request: HttpRequest) -> HttpResponse:
    partners = partners_visible_to(request.user).select_related("channel_manager")
    return render(request, "channels/workspace.html", {"partners": partners})
