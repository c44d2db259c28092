from django.contrib import admin
from django.db import models
from django.utils.translation import gettext

from partners import services
from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    Invitation,
    Membership,
    Partner,
    PartnerApplication,
    PartnerStatusChange,
    Territory,
    Tier,
)
from prm.core.admin import ReadOnlyAdmin, SchemaAwareModelAdmin

#: Links typed without a scheme are https (Django 6's default; silences 5.2's warning).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class StatusChangeInline(admin.TabularInline):
    model = PartnerStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(SchemaAwareModelAdmin):
    list_display = [
        "name",
        "slug",
        "partner_type",
        "tier",
        "status",
        "country",
        "territory",
        "channel_manager",
    ]
    list_filter = ["status", "partner_type", "tier", "territory", "country", "channel_manager"]
    search_fields = ["name", "slug", "legal_name", "email_domains"]
    list_select_related = ["tier", "territory", "channel_manager"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = URL_FIELDS
    # Status moves through the lifecycle service (history), not by editing the field.
    readonly_fields = ["status", "created_at"]
    inlines = [StatusChangeInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # the lifecycle's first entry: who created it here, and when
            PartnerStatusChange.objects.create(
                partner=obj,
                from_status="",
                to_status=obj.status,
                changed_by=request.user,
                reason=gettext("Created in the admin"),
            )


@admin.register(Membership)
class MembershipAdmin(SchemaAwareModelAdmin):
    list_display = ["user", "partner", "certified_on"]
    list_filter = ["partner", ("certified_on", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "user__full_name", "partner__name"]
    list_select_related = ["user", "partner"]
    raw_id_fields = ["user"]


@admin.register(Tier)
class TierAdmin(SchemaAwareModelAdmin):
    list_display = ["name", "rank", "min_yearly_sales", "min_certified_reps", "discount_percent"]
    search_fields = ["name"]
    ordering = ["rank"]


@admin.register(PartnerStatusChange)
class PartnerStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["partner", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status", "from_status"]
    search_fields = ["partner__name", "changed_by__email", "reason"]
    list_select_related = ["partner", "changed_by"]
    date_hierarchy = "changed_at"


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(SchemaAwareModelAdmin):
    list_display = [
        "company_name",
        "country",
        "partner_type",
        "contact_email",
        "status",
        "channel_manager",
        "submitted_at",
    ]
    list_filter = ["status", "partner_type", "country", "channel_manager"]
    search_fields = ["company_name", "legal_name", "contact_email", "contact_name"]
    list_select_related = ["channel_manager"]
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "partner", "submitted_at"]
    formfield_overrides = URL_FIELDS


@admin.register(Invitation)
class InvitationAdmin(SchemaAwareModelAdmin):
    list_display = [
        "email",
        "partner",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "partner__name"]
    list_select_related = ["partner"]
    readonly_fields = [
        "partner",
        "email",
        "full_name",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "user",
    ]

    def has_add_permission(self, request):
        return False  # invitations are sent from the app so the e-mail goes out


@admin.register(AgreementVersion)
class AgreementVersionAdmin(SchemaAwareModelAdmin):
    list_display = ["number", "title", "published_at", "published_by"]
    search_fields = ["title", "body"]
    readonly_fields = ["number", "published_at", "published_by"]

    def has_change_permission(self, request, obj=None):
        # A published version is what partners accepted: never edited, only superseded.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        version = services.agreement_publish(title=obj.title, body=obj.body, user=request.user)
        obj.pk, obj.number = version.pk, version.number


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["partner", "version", "accepted_by", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["partner__name", "accepted_by__email"]
    list_select_related = ["partner", "version", "accepted_by"]


@admin.register(Territory)
class TerritoryAdmin(SchemaAwareModelAdmin):
    list_display = ["name", "channel_manager"]
    list_filter = ["channel_manager"]
    search_fields = ["name", "countries"]
    list_select_related = ["channel_manager"]
