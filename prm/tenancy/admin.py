from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_tenants.admin import TenantAdminMixin
from django_tenants.utils import get_public_schema_name

from prm.core.admin import SchemaAwareModelAdmin
from prm.tenancy.models import Domain, Vendor


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Vendor)
class VendorAdmin(TenantAdminMixin, SchemaAwareModelAdmin):
    list_display = ["name", "schema_name", "is_active", "reporting_currency", "created_at"]
    list_filter = ["is_active", "reporting_currency"]
    search_fields = ["name", "schema_name", "domains__domain"]
    inlines = [DomainInline]
    actions = ["suspend", "reactivate"]

    @admin.action(description=_("Suspend selected vendors"))
    def suspend(self, request, queryset):
        count = queryset.exclude(schema_name=get_public_schema_name()).update(is_active=False)
        self.message_user(
            request, _("%(count)d vendor(s) suspended.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Reactivate selected vendors"))
    def reactivate(self, request, queryset):
        count = queryset.update(is_active=True)
        self.message_user(
            request, _("%(count)d vendor(s) reactivated.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Domain)
class DomainAdmin(SchemaAwareModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain", "tenant__name"]
