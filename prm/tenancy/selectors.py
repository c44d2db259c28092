"""Reads on vendors."""

from django.db import connection

from prm.tenancy.models import Vendor


def current_vendor() -> Vendor:
    """The vendor whose schema the connection is in: the tenant of the request, or looked
    up by schema name under `schema_context` (commands, tasks, tests).

    Raises Vendor.DoesNotExist in a schema that has no vendor (the public schema).
    """
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Vendor):
        return tenant
    return Vendor.objects.get(schema_name=connection.schema_name)
