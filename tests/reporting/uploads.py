"""An upload made for a test that writes its lines itself (no file to import), such a
line, and a September report for tests that import one."""

import uuid
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile

from reporting.models import SalesLine, Upload


def done_upload(partner, uploaded_by) -> Upload:
    upload = Upload(
        partner=partner,
        uploaded_by=uploaded_by,
        original_name="lines.csv",
        size=1,
        sha256=uuid.uuid4().hex * 2,
        status="done",
    )
    upload.file.save("lines.csv", ContentFile(b"x"), save=False)
    upload.save()
    return upload


def sales_line(
    upload: Upload,
    number: int = 1,
    *,
    day: date = date(2026, 9, 1),
    quantity: int = 1,
    unit_price: Decimal = Decimal("10.00"),
    currency: str = "EUR",
) -> SalesLine:
    """An unsaved sale of `upload`'s partner: invoice INV-<number>, the file's row
    number + 2 (after the header)."""
    return SalesLine(
        upload=upload,
        partner=upload.partner,
        invoice_number=f"INV-{number}",
        invoice_date=day,
        vendor_sku="AN-SW-24P",
        quantity=quantity,
        unit_price=unit_price,
        amount=quantity * unit_price,
        currency=currency,
        source_row=number + 2,
        transaction_type="sale",
    )


def september_csv(sku_prefix: str, rows: int) -> bytes:
    """A September CSV report of `rows` sales of `<sku_prefix>-SW` and `<sku_prefix>-AP`,
    with invoice numbers no other report has (a repeat would be held, not counted)."""
    marker = uuid.uuid4().hex[:8]
    body = "".join(
        f"{sku_prefix}{marker}-{i},2026-09-{1 + i % 28:02d},"
        f"{sku_prefix}-{'SW' if i % 2 else 'AP'},{1 + i % 9},{10 + i % 50}.00,USD\n"
        for i in range(rows)
    )
    return ("Invoice No,Invoice Date,SKU,Qty,Unit Price,Currency\n" + body).encode()
