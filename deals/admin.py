"""Tenant admin for the catalogue, direct accounts and (read-only) deal history."""

from django.contrib import admin

from deals.models import (
    Deal,
    DealEvent,
    DealLine,
    DirectAccount,
    PriceBook,
    PriceBookEntry,
    Product,
)
from prm.core.admin import ReadOnlyAdmin, SchemaAwareModelAdmin


@admin.register(Product)
class ProductAdmin(SchemaAwareModelAdmin):
    list_display = ("vendor_sku", "name", "list_price", "currency", "is_active")
    list_filter = ("is_active", "currency")
    search_fields = ("vendor_sku", "name")


@admin.register(DirectAccount)
class DirectAccountAdmin(SchemaAwareModelAdmin):
    list_display = ("customer_name", "customer_domain", "customer_country")
    search_fields = ("customer_name", "customer_domain")
    fields = ("customer_name", "customer_domain", "customer_country", "notes")


class DealLineInline(admin.TabularInline):
    model = DealLine
    extra = 0
    can_delete = False
    readonly_fields = ("product", "quantity", "list_price", "unit_price")

    def has_add_permission(self, request, obj=None):
        return False


class DealEventInline(admin.TabularInline):
    model = DealEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "kind", "from_status", "to_status", "comment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin):
    """Deals change only through the services (state machine, history)."""

    list_display = ("customer_name", "partner", "status", "submitted_at", "protected_until")
    list_filter = ("status", "partner")
    search_fields = ("customer_name", "customer_domain")
    inlines = [DealLineInline, DealEventInline]


class PriceBookEntryInline(admin.TabularInline):
    model = PriceBookEntry
    extra = 1
    autocomplete_fields = ("product",)


@admin.register(PriceBook)
class PriceBookAdmin(SchemaAwareModelAdmin):
    """Prices per currency (and tier) for a period; deals in that currency use them."""

    list_display = ("name", "currency", "tier", "valid_from", "valid_until")
    list_filter = ("currency", "tier")
    search_fields = ("name",)
    inlines = [PriceBookEntryInline]
