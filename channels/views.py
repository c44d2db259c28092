"""The channel manager's workspace (vendor admins see the whole channel)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels import services
from channels.forms import AnnouncementForm, ReassignForm, TerritoryForm
from channels.queue import work_queue
from channels.selectors import (
    announcements_for_partner,
    announcements_visible_to,
    portfolio_for,
)
from partners.selectors import territories_visible_to
from partners.services import partners_reassign
from prm.accounts.access import vendor_admin_required, vendor_staff_required


@vendor_staff_required
def workspace(request: HttpRequest) -> HttpResponse:
    page = Paginator(portfolio_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "channels/workspace.html",
        {
            "page": page,
            "queue": work_queue(request.user),
        },
    )


def _territories_page(request: HttpRequest, form: TerritoryForm) -> HttpResponse:
    return render(
        request,
        "channels/territories.html",
        {"territories": territories_visible_to(request.user), "form": form},
    )


@vendor_staff_required
def territories(request: HttpRequest) -> HttpResponse:
    """Territories and who looks after them; vendor admins see the form to add one."""
    return _territories_page(request, TerritoryForm())


@vendor_admin_required
@require_POST
def territory_create(request: HttpRequest) -> HttpResponse:
    """Add a territory (its own URL, so the authorization matrix covers the write)."""
    form = TerritoryForm(request.POST)
    if not form.is_valid():
        return _territories_page(request, form)
    territory = services.territory_save(user=request.user, **form.cleaned_data)
    messages.success(request, _("Territory %(name)s saved.") % {"name": territory.name})
    return redirect("channels:territories")


@vendor_admin_required
def reassign(request: HttpRequest) -> HttpResponse:
    """Hand all partners of one channel manager to another."""
    form = ReassignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = partners_reassign(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(count)s partner(s) now belong to %(name)s.")
                % {"count": count, "name": form.cleaned_data["to_manager"]},
            )
            return redirect("channels:reassign")
    return render(request, "channels/reassign.html", {"form": form})


@vendor_staff_required
def announcements(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            announcement = services.announcement_publish(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Published to %(count)s partner(s); their users are being e-mailed.")
                % {"count": announcement.recipients.count()},
            )
            return redirect("channels:announcements")
    page = Paginator(announcements_visible_to(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "channels/announcements.html", {"form": form, "page": page})


def portal_section(request: HttpRequest, partner):
    """Section of the partner portal's home page: the latest announcements sent to the
    partner (registered in ChannelsConfig.ready; the portal page checks the role)."""
    return (
        _("Announcements"),
        "channels/_portal_announcements.html",
        {"announcements": announcements_for_partner(partner)},
    )
