"""The one place in analytics that knows the tables of raw sales lines and uploads.

Everything in analytics reads raw lines through :func:`sales_lines` (SQL relation and
column names for set-based refreshes) so a change of the ingestion model's name or fields
is a change here only. Columns are the canonical sales line (docs/report-pipeline.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from reporting.models import SalesLine, Upload

#: canonical field -> model field name on SalesLine.
SALES_LINE_FIELDS = {
    "partner": "partner",
    "invoice_number": "invoice_number",
    "invoice_date": "invoice_date",
    "end_customer": "end_customer",
    "end_customer_country": "end_customer_country",
    "vendor_sku": "vendor_sku",
    "quantity": "quantity",
    "amount": "amount",
    "currency": "currency",
}
#: The sales line's field pointing to its upload (for reporting health: when each report
#: arrived, its error counts) and the upload's arrival time.
UPLOAD_FIELD = "upload"
UPLOAD_CREATED_FIELD = "created_at"


@dataclass(frozen=True)
class Relation:
    """A table and the column of each canonical field, for raw SQL."""

    table: str
    columns: dict[str, str]

    def __getattr__(self, field: str) -> str:
        try:
            return self.columns[field]
        except KeyError:
            raise AttributeError(field) from None


def sales_lines() -> Relation:
    model = SalesLine
    columns = {
        canonical: model._meta.get_field(name).column
        for canonical, name in SALES_LINE_FIELDS.items()
    }
    columns["upload"] = model._meta.get_field(UPLOAD_FIELD).column
    columns["upload_table"] = Upload._meta.db_table
    columns["upload_created"] = Upload._meta.get_field(UPLOAD_CREATED_FIELD).column
    return Relation(table=model._meta.db_table, columns=columns)


def sales_line_model():
    return SalesLine


def upload_model():
    return Upload
