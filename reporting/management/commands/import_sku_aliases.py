"""`import_sku_aliases --schema S FILE`: rows partner,partner_sku,vendor_sku (partner = slug)."""

from prm.core.csv_import import TenantCsvImportCommand
from reporting.services import sku_aliases_import


class Command(TenantCsvImportCommand):
    help = "Import partners' SKU aliases (partner,partner_sku,vendor_sku); all rows or none."
    import_text = staticmethod(sku_aliases_import)
