"""Writes for partner reports: who may upload, receive an upload, confirm a mapping,
process again, withdraw an upload, SKU aliases.

Importing itself (receive, process, store with COPY, progress, recovery of stalled
imports) is `reporting.importing`; its public names are importable from here too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from deals.models import Product
from partners.models import Partner
from partners.selectors import get_partner_for
from prm import webhooks
from prm.core.extensions import registry
from reporting import selectors
from reporting.importing import (  # noqa: F401 - public names of the import, kept here
    ERROR_COPY_COLUMNS,
    GAVE_UP,
    INTERRUPTED,
    LINE_COPY_COLUMNS,
    DuplicateUpload,
    ImportSummary,
    enqueue,
    max_upload_bytes,
    receive,
    refusal_error,
    report_import,
    stalled_imports_recover,
    upload_process,
)
from reporting.ingest import (
    FileInfo,
    MappingError,
    UploadRefused,
    header_signature,
    propose_mapping,
    validate_mapping,
)
from reporting.ingest.isolated import check_upload_isolated
from reporting.models import (
    ColumnMapping,
    SkuAlias,
    Upload,
    UploadStatus,
    UploadWithdrawal,
)
from reporting.quality import duplicates

# --- Who may do what -------------------------------------------------------------------


def may_upload_for(user, partner: Partner) -> bool:
    """Partner admins for their own partner; vendor staff for partners in their scope."""
    if user.is_partner_admin:
        return user.partner.pk == partner.pk
    return user.is_vendor_staff


def _require_partner_may_write(user) -> None:
    """Onboarding and suspended partners send no reports (partners/rules.py); vendor staff
    may still upload on their behalf."""
    if user.is_partner_user:
        from partners.rules import Action, require_partner_may

        require_partner_may(user.partner, Action.WRITE)


def _partner_for_upload(user, partner_id: int | None) -> Partner:
    if user.is_partner_admin:
        _require_partner_may_write(user)
        return user.partner
    if not user.is_vendor_staff or partner_id is None:
        raise PermissionDenied
    return get_partner_for(user, partner_id)


# --- Receive -------------------------------------------------------------------------


def upload_receive(*, user, partner_id: int | None = None, uploaded_file) -> Upload:
    """Check a file, store it under a generated name and queue its processing.

    Raises ValidationError (with the reason in the user's language) when the file is
    refused, DuplicateUpload when the partner already sent the same bytes.
    """
    partner = _partner_for_upload(user, partner_id)
    return receive(
        partner=partner,
        uploaded_by=user,
        name=uploaded_file.name,
        chunks=uploaded_file.chunks(),
    )


# --- Mapping, re-processing ----------------------------------------------------------


def _editable_upload(user, upload_id: int) -> Upload:
    upload = selectors.get_upload_for(user, upload_id)
    if not may_upload_for(user, upload.partner):
        raise PermissionDenied
    _require_partner_may_write(user)
    return upload


@transaction.atomic
def mapping_confirm(
    *, user, upload_id: int, fields: list[str], date_order: str = "", encoding: str = ""
) -> Upload:
    """Save the mapping a person confirmed for this layout and queue the import."""
    upload = _editable_upload(user, upload_id)
    if upload.is_running:
        raise ValidationError(_("This report is being processed; wait until it finishes."))
    info = FileInfo.from_dict(upload.file_info)
    try:
        validate_mapping(fields, info)
    except MappingError as error:
        raise ValidationError(_mapping_message(error), code="mapping") from error
    if info.date_order == "ambiguous" and date_order not in ("dmy", "mdy"):
        raise ValidationError(_("Choose whether the dates are day/month or month/day."))
    ColumnMapping.objects.update_or_create(
        partner=upload.partner,
        signature=header_signature(info.headers),
        defaults={
            "headers": info.headers,
            "fields": fields,
            "encoding": encoding or "",
            "date_order": date_order if date_order in ("dmy", "mdy") else "",
            "confirmed_by": user,
        },
    )
    upload.mapping = fields
    upload.date_order = date_order if date_order in ("dmy", "mdy") else ""
    upload.encoding = encoding or upload.encoding
    upload.status = UploadStatus.QUEUED
    upload.progress = 0
    upload.message = ""
    upload.save(
        update_fields=["mapping", "date_order", "encoding", "status", "progress", "message"]
    )
    enqueue(upload)
    return upload


def _mapping_message(error: MappingError) -> str:
    text = str(error)
    if "Two columns" in text:
        return _("Two columns are mapped to the same field; each field takes one column.")
    if "product code" in text:
        return _("Choose the column that holds the product code (vendor SKU or your part number).")
    if "unit price or the amount" in text:
        return _("Choose the column with the unit price or the one with the amount.")
    return _("Choose the columns with the invoice number, the invoice date and the quantity.")


def upload_reinspect(*, user, upload_id: int, encoding: str) -> Upload:
    """Read the file again in another encoding (the letters looked wrong)."""
    upload = _editable_upload(user, upload_id)
    if upload.is_running:
        raise ValidationError(_("This report is being processed; wait until it finishes."))
    path = Path(default_storage.path(upload.file.name))
    try:
        info = check_upload_isolated(
            path,
            upload.original_name,
            max_upload_bytes(),
            encoding_override=encoding or None,
            default_currency=upload.partner.currency or None,
            time_limit=settings.REPORTING_DETECT_SECONDS,
            digest=False,  # hashed on arrival
        ).info
    except UploadRefused as error:
        raise refusal_error(error) from error
    catalogue = set(Product.objects.filter(is_active=True).values_list("vendor_sku", flat=True))
    aliases = set(upload.partner.sku_aliases.values_list("partner_sku", flat=True))
    proposal = propose_mapping(info, known_vendor_skus=catalogue, known_partner_skus=aliases)
    upload.encoding = info.encoding or ""
    upload.file_info = info.to_dict()
    upload.proposal = proposal.to_dict()
    upload.mapping = []
    upload.status = UploadStatus.NEEDS_MAPPING
    upload.save(update_fields=["encoding", "file_info", "proposal", "mapping", "status"])
    return upload


def upload_reprocess(*, user, upload_id: int) -> Upload:
    """Run an upload again (after SKU aliases were added): its lines are replaced."""
    with transaction.atomic():
        upload = _editable_upload(user, upload_id)
        if upload.is_running:
            raise ValidationError(_("This report is already being processed."))
        if upload.status == UploadStatus.NEEDS_MAPPING:
            raise ValidationError(_("Confirm the columns first; the import starts then."))
        upload.status = UploadStatus.QUEUED
        upload.progress = 0
        upload.message = ""
        upload.save(update_fields=["status", "progress", "message"])
        enqueue(upload)
    return upload


# --- Withdraw --------------------------------------------------------------------------


class UploadBusy(ValidationError):
    """The upload cannot be withdrawn now: an import or the work after it holds it."""


def upload_withdraw(*, user, upload_id: int) -> UploadWithdrawal:
    """Take a report back: the upload, its lines (the upload-delete trigger), errors, held
    lines and runs go in one transaction, its file once that commits; the summaries and
    reconciliation of the months it covered are queued again. Returns the record kept.

    Never waits for an import: the upload row is locked NOWAIT. An import storing its
    lines holds it (FOR KEY SHARE, `importing._store`), as does the quality step after
    it, and PostgreSQL would keep this request until their commit. A queued or running
    upload is refused outright (UploadBusy), as is one the row lock finds busy; nothing
    is cancelled (docs/report-pipeline.md, "Withdrawing a report").
    """
    with transaction.atomic():
        upload = _editable_upload(user, upload_id)
        try:
            upload = (
                Upload.objects.select_for_update(nowait=True)
                .select_related("partner")
                .get(pk=upload.pk)
            )
        except OperationalError as error:
            if upload.is_running:
                raise _being_imported() from error
            raise UploadBusy(
                _("This report's figures are being updated; try again in a moment."),
                code="busy",
            ) from error
        if upload.is_running:
            raise _being_imported()
        preview = selectors.withdrawal_preview(upload)
        record = UploadWithdrawal.objects.create(
            partner=upload.partner,
            upload_id=upload.pk,
            original_name=upload.original_name,
            sha256=upload.sha256,
            uploaded_by_id=upload.uploaded_by_id,
            uploaded_at=upload.created_at,
            status=upload.status,
            line_count=preview.line_count,
            months=[f"{month:%Y-%m}" for month in preview.months],
            withdrawn_by=user,
        )
        stored = upload.file.name
        repeats = duplicates.repeats_of(upload)
        upload.delete()  # the statement trigger on reporting_upload deletes the lines
        # Lines of other uploads held only because they repeated this one's count again.
        added = duplicates.count_again(partner_id=upload.partner_id, held_ids=repeats)
        if preview.months or added:
            # The lines' delete trigger noted the months and end customers that changed;
            # the months of the lines counted again are the writer's to note. The hooks
            # note those and queue the refresh that reads the notes (summaries of the
            # noted months, reconciliation of the noted customers).
            for hook in registry.sales_changed_hooks():
                hook([upload.partner_id], added)
        # Only once the rows are gone for good: a rolled-back withdrawal keeps its file.
        transaction.on_commit(lambda: default_storage.delete(stored))
        # A copy of the lines kept through the API cannot see lines vanish: it is told,
        # in this transaction, so a rolled-back withdrawal sends nothing.
        webhooks.emit("upload.withdrawn", lambda: _withdrawn_payload(record, upload))
    return record


def _withdrawn_payload(record: UploadWithdrawal, upload: Upload) -> dict:
    """What `upload.withdrawn` says: the upload as `upload.imported` named it, the lines
    that left the API's sales lines, and who took it back when (docs/api.md)."""
    return {
        "id": record.upload_id,
        "partner": upload.partner.slug,
        "original_name": record.original_name,
        "line_count": record.line_count,
        "months": record.months,
        "withdrawn_by": record.withdrawn_by.email if record.withdrawn_by else None,
        "withdrawn_at": record.withdrawn_at.isoformat(),
    }


def _being_imported() -> UploadBusy:
    return UploadBusy(
        _("This report is being imported; you can withdraw it when it has finished."),
        code="importing",
    )


# --- SKU aliases ---------------------------------------------------------------------


@transaction.atomic
def sku_alias_save(*, user, partner_id: int, partner_sku: str, product_id: int) -> SkuAlias:
    """Add or change a partner's part number for a catalogue product (vendor staff)."""
    if not user.is_vendor_staff:
        raise PermissionDenied
    partner = get_partner_for(user, partner_id)
    partner_sku = partner_sku.strip()
    if not partner_sku:
        raise ValidationError(_("Enter the partner's part number."))
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationError(_("Choose a product of the catalogue."))
    alias, _created = SkuAlias.objects.update_or_create(
        partner=partner,
        partner_sku=partner_sku,
        defaults={"product": product, "created_by": user},
    )
    return alias


def sku_alias_delete(*, user, alias_id: int) -> None:
    if not user.is_vendor_staff:
        raise PermissionDenied
    selectors.get_alias_for(user, alias_id).delete()


@dataclass
class AliasImport:
    """Result of `import_sku_aliases`: counts, or the errors that stopped it."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def sku_aliases_import(*, text: str) -> AliasImport:
    """Rows `partner,partner_sku,vendor_sku` (partner = slug); all rows or none."""
    result = AliasImport()
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if not {"partner", "partner_sku", "vendor_sku"} <= set(header):
        result.errors.append((1, "the header must be partner,partner_sku,vendor_sku"))
        return result
    reader.fieldnames = header
    partners = dict(Partner.objects.values_list("slug", "pk"))
    products = dict(Product.objects.values_list("vendor_sku", "pk"))
    rows: dict[tuple[int, str], int] = {}
    for line, row in enumerate(reader, start=2):
        slug = (row.get("partner") or "").strip()
        partner_sku = (row.get("partner_sku") or "").strip()
        vendor_sku = (row.get("vendor_sku") or "").strip()
        if slug not in partners:
            result.errors.append((line, f"no partner with slug {slug!r}"))
        elif not partner_sku:
            result.errors.append((line, "partner_sku is empty"))
        elif vendor_sku not in products:
            result.errors.append((line, f"vendor_sku {vendor_sku!r} is not in the catalogue"))
        elif (partners[slug], partner_sku) in rows:
            result.errors.append((line, f"{slug} {partner_sku} appears twice"))
        else:
            rows[(partners[slug], partner_sku)] = products[vendor_sku]
    if result.errors:
        return result
    with transaction.atomic():
        # One read and one upsert whatever the number of rows (no query per row).
        existing = {
            (alias.partner_id, alias.partner_sku): alias
            for alias in SkuAlias.objects.filter(
                partner_id__in={partner_id for partner_id, _sku in rows},
                partner_sku__in={sku for _partner_id, sku in rows},
            ).only("pk", "partner_id", "partner_sku", "product_id")
        }
        new = [
            SkuAlias(partner_id=partner_id, partner_sku=partner_sku, product_id=product_id)
            for (partner_id, partner_sku), product_id in rows.items()
            if (partner_id, partner_sku) not in existing
        ]
        changed = []
        for key, alias in existing.items():
            if key in rows:
                alias.product_id = rows[key]
                changed.append(alias)
        SkuAlias.objects.bulk_create(new)
        SkuAlias.objects.bulk_update(changed, ["product_id"])
        result.created = len(new)
        result.updated = len(changed)
    return result
