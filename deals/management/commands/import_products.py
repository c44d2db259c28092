"""`import_products --schema S FILE`: catalogue rows vendor_sku,name,list_price,currency."""

from deals.imports import products_import
from prm.core.csv_import import TenantCsvImportCommand


class Command(TenantCsvImportCommand):
    help = "Import catalogue products (vendor_sku,name,list_price,currency); all rows or none."
    import_text = staticmethod(products_import)
