"""Report pages: uploads (partner portal, and CMs on a partner's behalf), their status
with live progress, the mapping form, the error report, and SKU aliases.

Thin views: read the form, call one service or selector, render or redirect. Uploads
come from `selectors.get_upload_for(user, pk)` (404 outside the user's scope); the
services check again who may act.
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from prm.accounts.access import report_user_required, vendor_staff_required
from prm.core import exports
from prm.core.exports import safe_text
from prm.core.http import query_without_page, wants_partial
from prm.core.params import parse_id
from reporting import selectors, services
from reporting.forms import (
    EncodingForm,
    MappingForm,
    SkuAliasForm,
    UploadFilterForm,
    UploadForm,
)
from reporting.ingest import IGNORE, REFUSALS
from reporting.ingest.mapping import fallback_field
from reporting.labels import FIELD_LABELS
from reporting.models import UploadStatus

PAGE_SIZE = 25


class _SizeLimitHandler(FileUploadHandler):
    """Stops reading a file upload past the tenant's limit (nothing is kept)."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_over_limit = self.limit
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


# --- Uploads -------------------------------------------------------------------------


@report_user_required
def upload_list(request: HttpRequest) -> HttpResponse:
    form = UploadFilterForm(request.GET or None, user=request.user)
    uploads = selectors.upload_list_for(request.user, **form.filters())
    page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/upload_list.html",
        {"page": page, "form": form, "query": query_without_page(request)},
    )


@report_user_required
def upload_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report list as filtered, every page of it, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = UploadFilterForm(request.GET or None, user=request.user)
    uploads = selectors.upload_list_for(request.user, **form.filters())
    with_partner = request.user.is_vendor_staff
    headers = [
        _("File"),
        *([_("Partner")] if with_partner else []),
        _("Uploaded"),
        _("Uploaded by"),
        _("Status"),
        _("Sales lines"),
        _("Rows with errors"),
    ]
    rows = [
        [
            upload.original_name,
            *([upload.partner.name] if with_partner else []),
            # A naive local time: spreadsheets have no time zones, so the file shows the
            # time the page shows.
            timezone.make_naive(timezone.localtime(upload.created_at)).replace(microsecond=0),
            upload.uploaded_by.get_short_name() if upload.uploaded_by else None,
            upload.get_status_display(),
            upload.line_count,
            upload.error_rows,
        ]
        for upload in uploads.iterator(chunk_size=2000)
    ]
    table = exports.Table(name=_("Sales reports"), headers=headers, rows=rows)
    filename = f"sales-reports-{timezone.localdate():%Y-%m-%d}"
    return exports.response(table, filename=filename, fmt=fmt)


def partner_section(request: HttpRequest, partner):
    """Section of the vendor's partner page (registered in ReportingConfig.ready): the
    partner's latest reports, with a way to upload one on its behalf, and the reports
    withdrawn lately (who, when, which months)."""
    if not request.user.is_vendor_staff:
        return None
    uploads = selectors.upload_list_for(request.user, partner_id=partner.pk)[:5]
    withdrawals = (
        selectors.withdrawals_visible_to(request.user)
        .filter(partner_id=partner.pk)
        .select_related("withdrawn_by")[:5]
    )
    return (
        _("Sales reports"),
        "reporting/_partner_section.html",
        {"partner": partner, "uploads": uploads, "withdrawals": withdrawals},
    )


@csrf_exempt  # only to put the size limit in place before anything reads the body
def upload_create(request: HttpRequest) -> HttpResponse:
    """The upload form. CSRF is checked right after (csrf_protect below), before roles."""
    if request.method == "POST" and request.user.is_authenticated:
        request.upload_handlers.insert(0, _SizeLimitHandler(request, services.max_upload_bytes()))
    return _upload_create(request)


@csrf_protect
@report_user_required
def _upload_create(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    over_limit = getattr(request, "upload_over_limit", None)
    if over_limit:
        form.is_valid()
        form.errors.clear()  # "this field is required": we stopped reading the file ourselves
        form.add_error(
            None,
            _(REFUSALS["too_large"]).format(
                size_mb=_("more than %(limit)s") % {"limit": over_limit // (1 << 20)},
                limit_mb=over_limit // (1 << 20),
            ),
        )
    elif posted and form.is_valid():
        partner = form.cleaned_data.get("partner")
        try:
            upload = services.upload_receive(
                user=request.user,
                partner_id=partner.pk if partner else None,
                uploaded_file=form.cleaned_data["file"],
            )
        except services.DuplicateUpload as duplicate:
            link = reverse("reporting:detail", args=[duplicate.earlier.pk])
            form.add_error(
                "file",
                format_html(
                    '{} <a href="{}">{}</a>',
                    duplicate.messages[0],
                    link,
                    _("Open the earlier upload"),
                ),
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("Report received. It is being processed."))
            return redirect("reporting:detail", pk=upload.pk)
    return render(request, "reporting/upload_form.html", {"form": form})


def _detail_context(request: HttpRequest, upload) -> dict:
    info = upload.file_info or {}
    headers = info.get("headers", [])
    mapping = [
        (header, FIELD_LABELS.get(field, field))
        for header, field in zip(headers, upload.mapping or [], strict=False)
        if field != IGNORE
    ]
    delimiter = info.get("delimiter")
    fields = list(upload.mapping or [])
    date_column = headers[fields.index("invoice_date")] if "invoice_date" in fields else None
    runs = list(upload.runs.all()[:5])
    current = runs[0] if runs and upload.status == UploadStatus.PROCESSING else None
    return {
        "progress": current.progress if current else upload.progress,
        "rows_read": current.rows_total if current else upload.rows_total,
        "upload": upload,
        "info": info,
        "delimiter": _("tab") if delimiter == "\t" else delimiter,
        "mapping": mapping,
        "date_column": date_column,
        # A ship/order date stands in for the invoice date: say so where the dates show.
        "date_stands_in": bool(date_column) and fallback_field(date_column) == "invoice_date",
        "errors": list(selectors.errors_of(upload)[:20]) if upload.error_rows else [],
        "may_act": services.may_upload_for(request.user, upload.partner),
        "runs": runs,
    }


@report_user_required
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(request.user, pk)
    return render(request, "reporting/upload_detail.html", _detail_context(request, upload))


@report_user_required
def upload_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status block alone, polled by htmx while the import runs."""
    upload = selectors.get_upload_for(request.user, pk)
    return render(request, "reporting/upload_detail.html#status", _detail_context(request, upload))


@report_user_required
def upload_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(request.user, pk)
    if not services.may_upload_for(request.user, upload.partner):
        raise PermissionDenied
    info = upload.file_info or {}
    headers = info.get("headers", [])
    proposal = upload.proposal or {}
    proposed = [choice["field"] for choice in proposal.get("columns", [])]
    form = MappingForm(
        request.POST if request.method == "POST" and "confirm" in request.POST else None,
        headers=headers,
        fields=upload.mapping or proposed,
        needs_date_order=info.get("date_order") == "ambiguous",
        date_order=upload.date_order,
    )
    encoding_form = EncodingForm(initial={"encoding": info.get("encoding") or "utf-8"})
    if request.method == "POST" and "reread" in request.POST:
        encoding_form = EncodingForm(request.POST)
        if encoding_form.is_valid():
            try:
                services.upload_reinspect(
                    user=request.user,
                    upload_id=upload.pk,
                    encoding=encoding_form.cleaned_data["encoding"],
                )
                messages.success(request, _("The file was read again. Check the sample below."))
                return redirect("reporting:mapping", pk=upload.pk)
            except ValidationError as error:
                encoding_form.add_error("encoding", error)
    elif request.method == "POST" and form.is_valid():
        try:
            services.mapping_confirm(
                user=request.user,
                upload_id=upload.pk,
                fields=form.mapped_fields(),
                date_order=form.cleaned_data.get("date_order", ""),
                encoding=info.get("encoding") or "",
            )
            messages.success(
                request, _("Columns saved for this layout. The report is being imported.")
            )
            return redirect("reporting:detail", pk=upload.pk)
        except ValidationError as error:
            form.add_error(None, error)
    choices = {choice["index"]: choice for choice in proposal.get("columns", [])}
    columns = [
        {
            "field": form[name],
            "header": headers[index],
            "samples": [row[index] for row in info.get("sample_rows", [])[:5] if index < len(row)],
            "choice": choices.get(index),
        }
        for index, name in enumerate(form.column_names)
    ]
    return render(
        request,
        "reporting/upload_mapping.html",
        {
            "upload": upload,
            "info": info,
            "form": form,
            "columns": columns,
            "encoding_form": encoding_form,
            "reasons": proposal.get("reasons", []),
        },
    )


@require_POST
@report_user_required
def upload_reprocess(request: HttpRequest, pk: int) -> HttpResponse:
    upload = selectors.get_upload_for(request.user, pk)
    try:
        services.upload_reprocess(user=request.user, upload_id=upload.pk)
        messages.success(request, _("The report is being processed again."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reporting:detail", pk=upload.pk)


@report_user_required
def upload_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what withdrawing the report takes out of the figures. POST with the
    confirmation field: withdraw it (a bare POST changes nothing). Only the upload of the
    URL is ever touched, through the user's scope; other posted fields are not read."""
    upload = selectors.get_upload_for(request.user, pk)
    if not services.may_upload_for(request.user, upload.partner):
        raise PermissionDenied
    refusal = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            return redirect("reporting:withdraw", pk=upload.pk)
        try:
            services.upload_withdraw(user=request.user, upload_id=upload.pk)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(
                request,
                _("“%(name)s” was withdrawn. The figures and findings are being updated.")
                % {"name": upload.original_name},
            )
            if request.htmx:
                return HttpResponseClientRedirect(reverse("reporting:uploads"))
            return redirect("reporting:uploads")
    context = {
        "upload": upload,
        "preview": selectors.withdrawal_preview(upload),
        "refusal": refusal,
    }
    template = "reporting/upload_withdraw.html"
    return render(request, template + "#confirm" if wants_partial(request) else template, context)


class _Echo:
    def write(self, value):
        return value


@report_user_required
def upload_errors(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The error report as CSV (safe to open in a spreadsheet), streamed row by row."""
    upload = selectors.get_upload_for(request.user, pk)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff" + writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
        for error in selectors.errors_of(upload).iterator(chunk_size=5000):
            yield writer.writerow(
                [
                    error.source_row,
                    safe_text(error.column),
                    safe_text(error.value),
                    safe_text(error.message),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="errors-{upload.pk}.csv"'
    return response


# --- SKU aliases ---------------------------------------------------------------------


@vendor_staff_required
def alias_list(request: HttpRequest) -> HttpResponse:
    form = SkuAliasForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            alias = services.sku_alias_save(
                user=request.user,
                partner_id=form.cleaned_data["partner"].pk,
                partner_sku=form.cleaned_data["partner_sku"],
                product_id=form.cleaned_data["product"].pk,
            )
            messages.success(
                request,
                _("%(alias)s now reads as %(sku)s. Process the partner's reports again to use it.")
                % {"alias": alias.partner_sku, "sku": alias.product.vendor_sku},
            )
            return redirect("reporting:aliases")
        except ValidationError as error:
            form.add_error(None, error)
    aliases = selectors.alias_list_for(
        request.user,
        partner_id=parse_id(request.GET.get("partner")),
        # PostgreSQL text refuses NUL.
        query=request.GET.get("q", "").replace("\x00", "").strip()[:200],
    )
    page = Paginator(aliases, 50).get_page(request.GET.get("page"))
    return render(request, "reporting/aliases.html", {"form": form, "page": page})


@require_POST
@vendor_staff_required
def alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    alias = selectors.get_alias_for(request.user, pk)
    if request.POST.get("confirm") != "1":  # the button sends it; a bare POST changes nothing
        return redirect("reporting:aliases")
    services.sku_alias_delete(user=request.user, alias_id=alias.pk)
    messages.success(request, _("Alias removed."))
    return redirect("reporting:aliases")
