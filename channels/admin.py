from django.contrib import admin

from channels.models import Announcement, AnnouncementRecipient
from prm.core.admin import SchemaAwareModelAdmin


class RecipientInline(admin.TabularInline):
    model = AnnouncementRecipient
    extra = 0
    can_delete = False
    readonly_fields = ["partner", "emailed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Announcement)
class AnnouncementAdmin(SchemaAwareModelAdmin):
    """Announcements are published from the workspace (that picks and e-mails the
    partners); the admin is for looking them up and correcting typos."""

    list_display = ["title", "author", "published_at"]
    list_filter = ["tiers", "territories", "author"]
    search_fields = ["title", "body"]
    list_select_related = ["author"]
    readonly_fields = ["author", "published_at", "tiers", "territories"]
    inlines = [RecipientInline]

    def has_add_permission(self, request):
        return False


@admin.register(AnnouncementRecipient)
class AnnouncementRecipientAdmin(SchemaAwareModelAdmin):
    list_display = ["announcement", "partner", "emailed_at"]
    list_filter = [("emailed_at", admin.EmptyFieldListFilter)]
    search_fields = ["announcement__title", "partner__name"]
    list_select_related = ["announcement", "partner"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
