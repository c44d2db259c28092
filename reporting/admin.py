from django.contrib import admin, messages
from django.contrib.admin import actions
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prm.core.admin import ReadOnlyAdmin, SchemaAwareModelAdmin
from reporting import services
from reporting.models import ColumnMapping, SkuAlias, Upload, UploadWithdrawal


class _NotWithdrawn(Exception):
    """The service refused to withdraw an upload; the admin says why instead of deleting."""


def _withdraw(request, upload: Upload) -> None:
    """Delete `upload` as its "Withdraw" page does (services.upload_withdraw): the lines,
    the file, the record, held repeats counted again and the refresh of its months. A
    plain model deletion would skip all of that, and wait for an import holding the row."""
    try:
        services.upload_withdraw(user=request.user, upload_id=upload.pk)
    except services.UploadBusy as error:
        reason = error.messages[0]
    except PermissionDenied:
        # A staff account whose role may not withdraw reports (vendor admins may withdraw
        # every report): the admin does not widen what a role may do.
        reason = _("your role may not withdraw this report.")
    except Http404:
        reason = _("it is not among the reports you may see, or it was deleted meanwhile.")
    else:
        return
    raise _NotWithdrawn(
        _("“%(upload)s” was not deleted: %(reason)s") % {"upload": upload, "reason": reason}
    )


@admin.action(permissions=["delete"], description=actions.delete_selected.short_description)
def delete_selected(modeladmin, request, queryset):
    """Django's "delete selected" (same name, so it replaces the site-wide action), with
    its confirmation page, but each upload is withdrawn through the service in its own
    transaction; one being imported is left, with a warning, and the others go."""
    if not request.POST.get("post"):
        return actions.delete_selected(modeladmin, request, queryset)  # the confirmation
    _objects, _count, perms_needed, protected = modeladmin.get_deleted_objects(queryset, request)
    if perms_needed or protected:
        return actions.delete_selected(modeladmin, request, queryset)  # 403, or the refusal
    modeladmin.delete_queryset(request, queryset)
    return None


@admin.register(Upload)
class UploadAdmin(SchemaAwareModelAdmin):
    list_display = ("original_name", "partner", "status", "line_count", "error_rows", "created_at")
    list_filter = ("status",)
    search_fields = ("original_name", "partner__name")
    readonly_fields = ("sha256", "file", "size", "file_info", "proposal", "mapping")
    actions = [delete_selected]

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except _NotWithdrawn as refused:
            # Raised inside the view's transaction: its deletion log entry is rolled back.
            self.message_user(request, str(refused), messages.WARNING)
            return HttpResponseRedirect(
                reverse(
                    "admin:reporting_upload_change",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )

    def delete_model(self, request, obj):
        _withdraw(request, obj)

    def delete_queryset(self, request, queryset):
        withdrawn = 0
        for upload in queryset.select_related("partner").order_by("pk"):
            try:
                with transaction.atomic():  # the log entry only with the deletion
                    self.log_deletions(request, [upload])
                    _withdraw(request, upload)
            except _NotWithdrawn as refused:
                self.message_user(request, str(refused), messages.WARNING)
            else:
                withdrawn += 1
        if withdrawn:
            message = ngettext(
                "Deleted %(count)d report upload; the figures of its months are being updated.",
                "Deleted %(count)d report uploads; the figures of their months are being updated.",
                withdrawn,
            )
            self.message_user(request, message % {"count": withdrawn}, messages.SUCCESS)


@admin.register(SkuAlias)
class SkuAliasAdmin(SchemaAwareModelAdmin):
    list_display = ("partner", "partner_sku", "product")
    search_fields = ("partner_sku", "product__vendor_sku", "partner__name")


@admin.register(ColumnMapping)
class ColumnMappingAdmin(SchemaAwareModelAdmin):
    list_display = ("partner", "signature", "confirmed_at")


@admin.register(UploadWithdrawal)
class UploadWithdrawalAdmin(ReadOnlyAdmin):
    """The record of who took a report back is history, not data to edit."""

    list_display = ("original_name", "partner", "line_count", "withdrawn_by", "withdrawn_at")
    search_fields = ("original_name", "partner__name")
