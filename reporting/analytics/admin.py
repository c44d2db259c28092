"""Tenant admin of analytics: exchange rates and reconciliation findings."""

from django.contrib import admin

from prm.core.admin import SchemaAwareModelAdmin
from reporting.analytics.models import ExchangeRate, ReconciliationFinding


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SchemaAwareModelAdmin):
    list_display = ("currency", "quote_currency", "rate", "valid_from", "updated_at")
    list_filter = ("currency", "quote_currency")
    search_fields = ("currency",)
    date_hierarchy = "valid_from"

    def save_model(self, request, obj, form, change):
        from reporting.analytics.services import queue_refresh, reporting_currency

        obj.quote_currency = obj.quote_currency or reporting_currency()
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        queue_refresh(partner_ids=None)


@admin.register(ReconciliationFinding)
class ReconciliationFindingAdmin(SchemaAwareModelAdmin):
    list_display = ("kind", "partner", "end_customer", "deal", "amount_reporting", "status")
    list_filter = ("kind", "status")
    search_fields = ("end_customer", "partner__name")
    raw_id_fields = ("partner", "deal", "decided_by")
