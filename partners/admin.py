from django.contrib import admin

from partners.models import Membership, Partner
from prm.core.admin import SchemaAwareModelAdmin


@admin.register(Partner)
class PartnerAdmin(SchemaAwareModelAdmin):
    list_display = ["name", "slug", "status", "country", "channel_manager"]
    list_filter = ["status", "country", "channel_manager"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(SchemaAwareModelAdmin):
    list_display = ["user", "partner"]
    search_fields = ["user__email", "partner__name"]
    list_select_related = ["user", "partner"]
