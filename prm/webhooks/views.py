"""The webhook pages: vendor admins register and delete endpoints and follow deliveries.

Managing webhooks is for vendor admins, as in peer products (PartnerStack, HubSpot): an
endpoint receives every partner's deals and reports, so choosing where they go is the
vendor's decision. A channel manager who opens a page is told which admins to ask.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from prm.accounts.selectors import vendor_admins
from prm.webhooks import selectors, services
from prm.webhooks.forms import EndpointForm


def webhook_admin_required(view):
    """Vendor admins in; a channel manager gets a 403 page naming the admins to ask;
    partner users a plain 403; anonymous users the login page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.is_vendor_admin:
            return view(request, *args, **kwargs)
        if user.is_vendor_staff:
            context = {"admins": list(vendor_admins())}
            return render(request, "webhooks/ask_an_admin.html", context, status=403)
        raise PermissionDenied

    return wrapped


@webhook_admin_required
def endpoint_list(request: HttpRequest) -> HttpResponse:
    """The endpoints; register one (its secret is shown on this answer only)."""
    form = EndpointForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.endpoint_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("url" if error.code in ("url", "private_target") else None, error)
        else:
            form = EndpointForm()
    endpoints = selectors.endpoints_for(request.user)
    context = {"form": form, "created": created, "endpoints": endpoints}
    return render(request, "webhooks/list.html", context)


@webhook_admin_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One endpoint and its last deliveries, each with its latest answer."""
    endpoint = selectors.get_endpoint_for(request.user, pk)
    deliveries = selectors.recent_deliveries(endpoint)
    context = {"endpoint": endpoint, "deliveries": deliveries}
    return render(request, "webhooks/endpoint.html", context)


@webhook_admin_required
@require_POST
def endpoint_delete(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = selectors.get_endpoint_for(request.user, pk)
    services.endpoint_delete(user=request.user, endpoint=endpoint)
    messages.success(
        request,
        _("The endpoint is deleted: nothing more is sent to %(url)s.") % {"url": endpoint.url},
    )
    return redirect("webhooks:list")


@webhook_admin_required
@require_POST
def delivery_send_again(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.get_delivery_for(request.user, pk)
    services.delivery_send_again(user=request.user, delivery_id=delivery.pk)
    messages.success(
        request, _("Queued again: reload this page in a moment to see the new attempt.")
    )
    return redirect("webhooks:endpoint", pk=delivery.endpoint_id)
