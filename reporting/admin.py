from django.contrib import admin

from prm.core.admin import SchemaAwareModelAdmin
from reporting.models import ColumnMapping, SkuAlias, Upload, UploadWithdrawal


@admin.register(Upload)
class UploadAdmin(SchemaAwareModelAdmin):
    list_display = ("original_name", "partner", "status", "line_count", "error_rows", "created_at")
    list_filter = ("status",)
    search_fields = ("original_name", "partner__name")
    readonly_fields = ("sha256", "file", "size", "file_info", "proposal", "mapping")


@admin.register(SkuAlias)
class SkuAliasAdmin(SchemaAwareModelAdmin):
    list_display = ("partner", "partner_sku", "product")
    search_fields = ("partner_sku", "product__vendor_sku", "partner__name")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(SchemaAwareModelAdmin):
    list_display = ("partner", "signature", "confirmed_at")


@admin.register(UploadWithdrawal)
class UploadWithdrawalAdmin(SchemaAwareModelAdmin):
    """Read-only: the record of who took a report back is history, not data to edit."""

    list_display = ("original_name", "partner", "line_count", "withdrawn_by", "withdrawn_at")
    search_fields = ("original_name", "partner__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
