"""Reads for partner reports, each starting from the acting user's scope.

Uploads and their lines are visible to the partner's admins, its channel manager and
the vendor admins (`partners.selectors.restrict_to_partners`); partner reps see none
(reports are the partner admin's business). SKU aliases are vendor staff's.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.selectors import restrict_to_partners
from prm.accounts.access import can_see_reports
from reporting.ingest import FileInfo, source_rows
from reporting.models import (
    SalesLine,
    SkuAlias,
    Upload,
    UploadError,
    UploadStatus,
    UploadWithdrawal,
    lines_of_upload,
)


def uploads_visible_to(user) -> QuerySet[Upload]:
    if not can_see_reports(user):
        return Upload.objects.none()
    return restrict_to_partners(Upload.objects.all(), user)


def get_upload_for(user, pk: int) -> Upload:
    """One upload, or 404 when it is outside the user's scope."""
    return get_object_or_404(uploads_visible_to(user).select_related("partner"), pk=pk)


def upload_list_for(
    user,
    *,
    partner_id: int | None = None,
    status: str = "",
    uploaded_from: date | None = None,
    uploaded_to: date | None = None,
) -> QuerySet[Upload]:
    """The user's uploads, newest first. The dates are days in the user's time zone (the
    one active for the request), both included."""
    uploads = uploads_visible_to(user).select_related("partner", "uploaded_by")
    if partner_id:
        uploads = uploads.filter(partner_id=partner_id)
    if status:
        uploads = uploads.filter(status=status)
    if uploaded_from:
        uploads = uploads.filter(created_at__date__gte=uploaded_from)
    if uploaded_to:
        uploads = uploads.filter(created_at__date__lte=uploaded_to)
    return uploads.order_by("-created_at", "-pk")


def errors_of(upload: Upload) -> QuerySet[UploadError]:
    """The error report of an upload the caller already fetched through the scope."""
    return upload.errors.order_by("source_row", "pk")


def source_rows_of(upload: Upload, rows) -> dict[int, str]:
    """{source row: the row as the partner wrote it} of an upload the caller already
    fetched through the scope: how a line or a held line is traced back to the partner's
    file (lines keep the row's number; the file is kept, under the upload).

    Reads the stored file up to the last row asked for, as the import read it; only for
    uploads whose import finished, so the file has already been checked in the confined
    process and read to the end by the worker. Cells are joined by the file's separator
    (a tab for workbooks).
    """
    if upload.status != UploadStatus.DONE or not upload.file_info:
        return {}
    path = Path(default_storage.path(upload.file.name))
    return source_rows(path, FileInfo.from_dict(upload.file_info), rows)


@dataclass(frozen=True)
class WithdrawalPreview:
    """What withdrawing an upload takes out of the figures: its sales lines (held repeats
    never counted), the invoice dates they span and the months whose sales change."""

    line_count: int
    first_date: date | None
    last_date: date | None
    months: list[date]
    #: Lines of the partner's other reports held as repeats of this one's: they may
    #: count again (`reporting.quality.duplicates.count_again`).
    repeats: int = 0


def withdrawal_preview(upload: Upload) -> WithdrawalPreview:
    """For an upload the caller already fetched through the scope. One index scan of the
    primary key over the upload's id range (`lines_of_upload`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), min(l.invoice_date), max(l.invoice_date),"
            " array_agg(DISTINCT date_trunc('month', l.invoice_date)::date)"
            f" FROM {SalesLine._meta.db_table} l WHERE {lines_of_upload('l', '%s')}",
            [upload.pk] * 3,
        )
        count, first, last, months = cursor.fetchone()
    from reporting.quality.duplicates import repeats_of

    return WithdrawalPreview(
        line_count=count,
        first_date=first,
        last_date=last,
        months=sorted(month for month in months or [] if month is not None),
        repeats=len(repeats_of(upload)),
    )


def withdrawals_visible_to(user) -> QuerySet[UploadWithdrawal]:
    """Reports taken back, for whoever may see the partner's reports."""
    if not can_see_reports(user):
        return UploadWithdrawal.objects.none()
    return restrict_to_partners(UploadWithdrawal.objects.all(), user)


def aliases_visible_to(user) -> QuerySet[SkuAlias]:
    if not (user.is_authenticated and user.is_vendor_staff):
        return SkuAlias.objects.none()
    return restrict_to_partners(SkuAlias.objects.all(), user)


def alias_list_for(user, *, partner_id: int | None = None, query: str = "") -> QuerySet[SkuAlias]:
    aliases = aliases_visible_to(user).select_related("partner", "product")
    if partner_id:
        aliases = aliases.filter(partner_id=partner_id)
    if query:
        aliases = aliases.filter(
            Q(partner_sku__icontains=query) | Q(product__vendor_sku__icontains=query)
        )
    return aliases.order_by("partner__name", "partner_sku")


def get_alias_for(user, pk: int) -> SkuAlias:
    return get_object_or_404(aliases_visible_to(user), pk=pk)


def uploads_waiting_on(user, *, limit: int = 20):
    """Work-queue source (prm.core.extensions): reports that need mapping or have row errors.

    Vendor staff only, in their scope; two queries.
    """
    from prm.core.extensions import QueueItem

    if not (user.is_authenticated and user.is_vendor_staff):
        return [], 0
    waiting = uploads_visible_to(user).filter(
        Q(status=UploadStatus.NEEDS_MAPPING) | Q(status=UploadStatus.DONE, error_rows__gt=0)
    )
    total = waiting.count()
    if not limit or not total:
        return [], total
    items = [
        QueueItem(
            kind=_("Report"),
            title=f"{upload.partner.name}: {upload.original_name}",
            url=reverse("reporting:detail", kwargs={"pk": upload.pk}),
            waiting_since=upload.finished_at or upload.created_at,
            detail=(
                _("Columns to confirm")
                if upload.status == UploadStatus.NEEDS_MAPPING
                else _("%(count)d rows with errors") % {"count": upload.error_rows}
            ),
        )
        for upload in waiting.select_related("partner").order_by("created_at")[:limit]
    ]
    return items, total


def sales_lines_visible_to(user) -> QuerySet[SalesLine]:
    """Canonical sales lines, for whoever may see the partner's reports."""
    if not can_see_reports(user):
        return SalesLine.objects.none()
    return restrict_to_partners(SalesLine.objects.all(), user)
