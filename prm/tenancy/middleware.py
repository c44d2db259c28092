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


class TlsAskMiddleware:
    """Answers the TLS proxy's question "may I get a certificate for this host?" before
    tenant routing: 200 for a host of an active vendor (or the platform's own host), 404
    otherwise, so nobody can make the proxy request certificates for names we do not
    serve. The proxy asks from inside the compose network (Host "web:8000", not an
    allowed host), so this runs before anything reads the Host header."""

    PATH = "/health/tls/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != self.PATH:
            return self.get_response(request)
        from django.http import HttpResponse, HttpResponseNotFound

        from prm.tenancy.models import Domain

        host = request.GET.get("domain", "").strip().lower().rstrip(".")
        known = bool(host) and (Domain.objects.filter(domain=host, tenant__is_active=True).exists())
        return HttpResponse("ok") if known else HttpResponseNotFound("unknown host")
