"""Refuse requests to suspended vendors before any view runs."""

from django.shortcuts import render
from django_tenants.utils import get_public_schema_name


class SuspendedVendorMiddleware:
    """Answer 503 with an explanation when the host's vendor is suspended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and tenant.schema_name != get_public_schema_name()
            and not tenant.is_active
        ):
            return render(request, "tenancy/suspended.html", {"vendor": tenant}, status=503)
        return self.get_response(request)
