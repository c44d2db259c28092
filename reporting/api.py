"""Report uploads and canonical sales lines in the REST API.

`POST /api/v1/uploads/` stores the file and queues the same import as the upload page
(202 with the upload's id); `GET /api/v1/uploads/{id}/` follows it; `DELETE` withdraws it
as the page's "Withdraw this report" does (204; 409 `importing` while it is imported).
Sales lines are read for reporting tools, scoped like the report pages.
"""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from partners.selectors import partners_visible_to
from prm.accounts.access import can_see_reports
from prm.api.errors import ApiConflict
from prm.api.idempotency import idempotent
from prm.api.pagination import page_schema, paginate
from reporting import selectors, services
from reporting.models import upload_lines_q

uploads_router = Router(tags=["uploads"])
sales_router = Router(tags=["sales-lines"])
ERRORS_SHOWN = 1000


class UploadErrorOut(Schema):
    source_row: int
    column: str
    value: str
    code: str
    message: str


class UploadOut(Schema):
    id: int
    partner: str
    original_name: str
    status: str
    progress: int
    rows_total: int
    line_count: int
    error_rows: int
    skipped_rows: int
    message: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_partner(upload) -> str:
        return upload.partner.slug


class UploadDetailOut(UploadOut):
    errors: list[UploadErrorOut] = Field(description="The first 1,000 rows that failed")

    @staticmethod
    def resolve_errors(upload) -> list:
        return list(selectors.errors_of(upload)[:ERRORS_SHOWN])


class UploadIn(Schema):
    partner: str | None = Field(None, description="Partner slug (vendor staff only)")


class SalesLineOut(Schema):
    id: int
    partner: str
    invoice_number: str
    invoice_date: date
    reseller: str
    end_customer: str
    end_customer_country: str
    vendor_sku: str
    partner_sku: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    currency: str
    upload: int

    @staticmethod
    def resolve_partner(line) -> str:
        return line.partner.slug

    @staticmethod
    def resolve_upload(line) -> int:
        return line.upload_id


class SalesLineFilters(Schema):
    partner: str | None = Field(None, description="Partner slug")
    upload: int | None = Field(None, description="Only the lines of this upload (its id)")
    after_id: int | None = Field(
        None, description="Only lines with a greater id: where a copy of the lines resumes"
    )
    invoice_date_from: date | None = None
    invoice_date_to: date | None = None
    cursor: str | None = None
    limit: int | None = None


class PageParams(Schema):
    cursor: str | None = None
    limit: int | None = None


UploadPage = page_schema(UploadOut)
SalesLinePage = page_schema(SalesLineOut)


def _detail(request: HttpRequest, upload_id: int):
    return selectors.get_upload_for(request.user, upload_id)


@uploads_router.get("/", response=UploadPage, url_name="uploads")
def list_uploads(request: HttpRequest, params: Query[PageParams]):
    """Uploads the key's user may see (partner admins, CMs, vendor admins)."""
    if not can_see_reports(request.user):
        raise PermissionDenied
    uploads = selectors.uploads_visible_to(request.user).select_related("partner")
    return paginate(request, uploads, cursor=params.cursor, limit=params.limit)


@uploads_router.post("/", response={202: UploadDetailOut}, url_name="uploads")
@idempotent(UploadDetailOut)
def create_upload(request: HttpRequest, file: File[UploadedFile], form: Form[UploadIn]):
    """Send a sales report file (multipart field `file`); it is imported in the background."""
    user = request.user
    if not (user.is_partner_admin or user.is_vendor_staff):
        raise PermissionDenied
    partner_id = None
    if user.is_vendor_staff:
        if not form.partner:
            raise HttpError(400, "Name the partner (slug) the report is for.")
        partner = partners_visible_to(user).filter(slug=form.partner).first()
        if partner is None:
            raise HttpError(404, "Not found.")
        partner_id = partner.pk
    try:
        upload = services.upload_receive(user=user, partner_id=partner_id, uploaded_file=file)
    except services.DuplicateUpload as error:
        raise ApiConflict(" ".join(error.messages), "duplicate") from None
    return 202, _detail(request, upload.pk)


@uploads_router.get("/{int:upload_id}/", response=UploadDetailOut, url_name="upload")
def get_upload(request: HttpRequest, upload_id: int):
    """An upload's status, counts and row errors."""
    if not can_see_reports(request.user):
        raise PermissionDenied
    return _detail(request, upload_id)


@sales_router.get("/", response=SalesLinePage, url_name="sales_lines")
def list_sales_lines(request: HttpRequest, filters: Query[SalesLineFilters]):
    """Canonical sales lines (as `export_sales` writes them), oldest first."""
    if not can_see_reports(request.user):
        raise PermissionDenied
    lines = selectors.sales_lines_visible_to(request.user).select_related("partner")
    if filters.partner:
        lines = lines.filter(partner__slug=filters.partner)
    if filters.upload is not None:
        lines = lines.filter(upload_lines_q(filters.upload))
    if filters.after_id is not None:
        # The last page's `next` is null: a copy that read everything resumes from the
        # last id it holds (docs/api.md, "Keeping a copy of the sales lines").
        lines = lines.filter(pk__gt=filters.after_id)
    if filters.invoice_date_from:
        lines = lines.filter(invoice_date__gte=filters.invoice_date_from)
    if filters.invoice_date_to:
        lines = lines.filter(invoice_date__lte=filters.invoice_date_to)
    return paginate(request, lines, cursor=filters.cursor, limit=filters.limit)


@uploads_router.delete("/{int:upload_id}/", response={204: None}, url_name="upload")
def withdraw_upload(request: HttpRequest, upload_id: int):
    """Withdraw a report sent by mistake: the upload, its lines and its file go, and the
    figures and findings of its months are updated in the background. Refused with 409
    (`importing`) while it is queued or being imported."""
    if not can_see_reports(request.user):
        raise PermissionDenied
    upload = _detail(request, upload_id)
    if not services.may_upload_for(request.user, upload.partner):
        raise PermissionDenied
    try:
        services.upload_withdraw(user=request.user, upload_id=upload.pk)
    except services.UploadBusy as error:
        raise ApiConflict(" ".join(error.messages), error.code or "busy") from None
    return Status(204, None)
