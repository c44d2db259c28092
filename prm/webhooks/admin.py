"""Webhooks in the vendor's admin: endpoints, every delivery and attempt, "send again"."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from prm.core.admin import SchemaAwareModelAdmin
from prm.webhooks import services
from prm.webhooks.models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(SchemaAwareModelAdmin):
    list_display = ["url", "description", "is_active", "created_by", "created_at"]
    list_filter = ["is_active"]
    readonly_fields = ["secret", "created_by", "created_at"]
    fields = ["url", "events", "description", "is_active", "secret", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # registered through the API, which checks the target and shows the secret


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["at", "status_code", "error", "duration_ms", "response_body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(SchemaAwareModelAdmin):
    list_display = ["event", "endpoint", "status", "attempt_count", "created_at", "delivered_at"]
    list_display += ["next_attempt_at"]
    list_filter = ["status", "event"]
    search_fields = ["message_id", "endpoint__url"]
    readonly_fields = ["endpoint", "message_id", "event", "payload", "status", "attempt_count"]
    readonly_fields += ["next_attempt_at", "created_at", "delivered_at"]
    inlines = [AttemptInline]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        for delivery in queryset:
            services.delivery_send_again(user=request.user, delivery_id=delivery.pk)
        self.message_user(
            request, _("Queued again; the attempts appear here in a moment."), messages.SUCCESS
        )
