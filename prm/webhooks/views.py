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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from prm.accounts.selectors import vendor_admins
from prm.webhooks import selectors, services
from prm.webhooks.forms import EndpointForm, RotateSecretForm


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
    return _endpoint_page(request, endpoint)


def _endpoint_page(request: HttpRequest, endpoint, *, rotated: bool = False) -> HttpResponse:
    overlap = endpoint.previous_secret_until
    context = {
        "endpoint": endpoint,
        "deliveries": selectors.recent_deliveries(endpoint),
        "rotate_form": RotateSecretForm(),
        "rotated": rotated,
        # Until then deliveries carry a signature with the previous secret too.
        "previous_secret_until": overlap if overlap and overlap > timezone.now() else None,
    }
    return render(request, "webhooks/endpoint.html", context)


@webhook_admin_required
@require_POST
@never_cache  # the answer holds the new secret: no cache may keep it
def endpoint_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """A new signing secret, shown on this answer only (as the API's rotate-secret); the
    old one keeps signing deliveries for 24 hours beside it."""
    endpoint = selectors.get_endpoint_for(request.user, pk)
    if not RotateSecretForm(request.POST).is_valid():
        messages.error(
            request, _("Nothing changed: tick the box to confirm, then rotate the secret.")
        )
        return redirect("webhooks:endpoint", pk=endpoint.pk)
    endpoint = services.endpoint_rotate_secret(user=request.user, endpoint=endpoint)
    return _endpoint_page(request, endpoint, rotated=True)


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
