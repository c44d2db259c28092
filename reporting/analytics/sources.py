"""The one place that knows where raw sales lines and uploads live (the ingestion app).

Everything in analytics reads raw lines through :func:`sales_lines` (SQL relation and
column names for set-based refreshes) so a change of the ingestion model's name or fields
is a change here only. Columns are the canonical sales line of product.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

#: app_label.ModelName of the canonical sales line (reporting/models.py, issue 5).
SALES_LINE_MODEL = "reporting.SalesLine"
#: canonical field -> model field name on SALES_LINE_MODEL.
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
#: The upload model (for reporting health: when each report arrived, its error counts),
#: the sales line's field pointing to it and the upload's arrival time.
UPLOAD_MODEL = "reporting.Upload"
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


def sales_line_model():
    """The sales line model, or None while the ingestion app has not defined it."""
    try:
        return apps.get_model(SALES_LINE_MODEL)
    except LookupError:
        return None


def sales_lines() -> Relation | None:
    model = sales_line_model()
    if model is None:
        return None
    columns = {
        canonical: model._meta.get_field(name).column
        for canonical, name in SALES_LINE_FIELDS.items()
    }
    upload = upload_model()
    if upload is not None and UPLOAD_FIELD in {f.name for f in model._meta.fields}:
        columns["upload"] = model._meta.get_field(UPLOAD_FIELD).column
        columns["upload_table"] = upload._meta.db_table
        columns["upload_created"] = upload._meta.get_field(UPLOAD_CREATED_FIELD).column
    return Relation(table=model._meta.db_table, columns=columns)


def upload_model():
    try:
        return apps.get_model(UPLOAD_MODEL)
    except LookupError:
        return None
