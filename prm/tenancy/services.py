"""Writes on vendors: provisioning and suspension."""

from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from prm.tenancy.models import Domain, Vendor


def vendor_create(
    *,
    schema: str,
    name: str,
    domain: str,
    admin_email: str | None = None,
    admin_password: str | None = None,
    reporting_currency: str = "USD",
) -> Vendor:
    """Create a vendor schema with its primary domain and, optionally, its first admin.

    The schema is a copy of the migrated template schema (TENANT_BASE_SCHEMA, brought up
    to date first if a migration is pending: Vendor.create_schema), or, with no
    template configured, the result of running every tenant migration. Either cannot
    happen inside an outer transaction on another schema, so this is not atomic as a
    whole; a failure after the schema exists leaves a vendor that can be completed by
    running the command again.
    """
    from prm.accounts.services import user_create

    vendor = Vendor.objects.filter(schema_name=schema).first()
    if vendor is None:
        vendor = Vendor(schema_name=schema, name=name, reporting_currency=reporting_currency)
        vendor.save(verbosity=0)  # creates the schema: Vendor.create_schema
    host = domain.split(":")[0].lower()
    Domain.objects.get_or_create(domain=host, defaults={"tenant": vendor, "is_primary": True})
    if admin_email:
        with schema_context(vendor.schema_name):
            from prm.accounts.models import Role, User

            if not User.objects.filter(email__iexact=admin_email).exists():
                with transaction.atomic():
                    user_create(
                        email=admin_email,
                        password=admin_password,
                        role=Role.VENDOR_ADMIN,
                        full_name="",
                    )
    return vendor


def vendor_set_active(*, vendor: Vendor, active: bool) -> Vendor:
    vendor.is_active = active
    vendor.save(update_fields=["is_active"])
    return vendor


def vendor_url(vendor: Vendor, path: str = "/") -> str:
    """The address users type for this vendor, for messages and e-mails."""
    domain = vendor.get_primary_domain()
    port = getattr(settings, "PRM_PUBLIC_PORT", "")
    scheme = "https" if settings.PRODUCTION else "http"
    host = domain.domain if domain else f"{vendor.schema_name}.{settings.PRM_BASE_DOMAIN}"
    return f"{scheme}://{host}{':' + str(port) if port else ''}{path}"


def public_site_ensure(*, domain: str | None = None) -> Vendor:
    """The public schema's row and host: django-tenants routes the landing page through it."""
    public = Vendor.objects.filter(schema_name="public").first()
    if public is None:
        public = Vendor(schema_name="public", name="PRM platform")
        public.save(verbosity=0)
    host = (domain or settings.PRM_BASE_DOMAIN).split(":")[0].lower()
    Domain.objects.get_or_create(domain=host, defaults={"tenant": public, "is_primary": True})
    return public
