"""Pages that belong to no app: the public landing page and health checks."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from prm.tenancy.models import Vendor


def landing(request: HttpRequest) -> HttpResponse:
    """The public site: what this is and where vendors log in."""
    vendors = Vendor.objects.filter(is_active=True).exclude(schema_name="public")
    return render(request, "core/landing.html", {"vendor_count": vendors.count()})


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the database answers and this host routes to a schema."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "schema": connection.schema_name})
