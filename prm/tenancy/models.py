"""Vendors (tenants) and their host names, stored in the public schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Vendor(TenantMixin):
    """A vendor that sells through partners: one PostgreSQL schema, one or more hosts.

    Programme settings that every app reads (protection period, review target, upload
    limit, reporting currency) live here so the operator and vendor admin see them in one
    place.
    """

    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Suspended vendors cannot be reached.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reporting_currency = models.CharField(_("reporting currency"), max_length=3, default="USD")
    protection_days = models.PositiveIntegerField(_("deal protection period (days)"), default=90)
    review_target_days = models.PositiveIntegerField(
        _("deal review target (business days)"), default=2
    )
    max_upload_mb = models.PositiveIntegerField(_("largest report upload (MB)"), default=50)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Times are shown in this zone to users who have not chosen their own."),
    )

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Copy the template schema (prm.tenancy.template) rather than migrate.

        Every way of creating a vendor (vendor_create, the operator's admin,
        django-tenants' commands) comes through here when the row is first saved, so each
        gets a current template, under its lock, copied in constant time.
        """
        from django.db import connection
        from django_tenants.utils import schema_exists

        from prm.tenancy.template import clone_template, current_template, template_schema_name

        if not sync_schema or not template_schema_name():
            return super().create_schema(check_if_exists, sync_schema, verbosity)
        if check_if_exists and schema_exists(self.schema_name):
            return False
        with current_template() as template:
            if not clone_template(template=template, schema=self.schema_name):
                # No recipe (pg_dump unavailable): django-tenants' clone_schema().
                return super().create_schema(check_if_exists, sync_schema, verbosity)
        connection.set_schema_to_public()
        return True

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


class Domain(DomainMixin):
    """A host name (without port) that routes to one vendor."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain


class TemplateRecipe(models.Model):
    """The SQL that recreates the template schema (structure and rows), for cloning.

    Made with pg_dump when the template is migrated and kept here, so provisioning a
    vendor replays it in a fraction of a second however many schemas the database holds
    (django-tenants' clone_schema() reads the whole catalogue and slows down with every
    tenant). `state` identifies the template's migrations the SQL was made from; a recipe
    of another state is never used.
    """

    template = models.CharField(max_length=63, unique=True)
    state = models.CharField(max_length=32)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.template}@{self.state}"
