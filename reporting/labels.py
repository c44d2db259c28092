"""Names of report fields, shared by pages and forms (translated once)."""

from django.utils.translation import gettext_lazy as _

FIELD_LABELS = {
    "ignore": _("Ignore this column"),
    "invoice_number": _("Invoice number"),
    "invoice_date": _("Invoice date"),
    "reseller": _("Reseller"),
    "end_customer": _("End customer"),
    "end_customer_country": _("End customer country"),
    "vendor_sku": _("Vendor SKU"),
    "partner_sku": _("Partner part number"),
    "quantity": _("Quantity"),
    "unit_price": _("Unit price"),
    "amount": _("Amount"),
    "currency": _("Currency"),
}

DATE_ORDERS = {
    "dmy": _("Day first (31.12.2026)"),
    "mdy": _("Month first (12/31/2026)"),
}

# Encodings a person can pick when the letters of the sample look wrong.
ENCODINGS = {
    "utf-8": _("Unicode (UTF-8)"),
    "cp1252": _("Western European (Windows-1252)"),
    "cp1250": _("Central European (Windows-1250)"),
    "cp1251": _("Cyrillic (Windows-1251)"),
    "cp1258": _("Vietnamese (Windows-1258)"),
    "cp932": _("Japanese (Shift-JIS)"),
    "utf-16": _("Unicode (UTF-16)"),
    "latin-1": _("Latin-1 (ISO-8859-1)"),
}
