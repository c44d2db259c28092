from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from prm.accounts.models import ApiKey, User
from prm.accounts.services import api_key_revoke
from prm.core.admin import SchemaAwareModelAdmin


@admin.register(User)
class UserAdmin(SchemaAwareModelAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("full_name", "role", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),
    )


@admin.register(ApiKey)
class ApiKeyAdmin(SchemaAwareModelAdmin):
    """Every key of the vendor, for vendor admins: see who uses the API, revoke any key."""

    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields += ["revoked_by"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are made by their user (settings page or create_api_key)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(user=request.user, key_id=key.pk)
        self.message_user(request, _("The selected keys are revoked."))
