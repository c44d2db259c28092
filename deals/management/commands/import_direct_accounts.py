"""`import_direct_accounts --schema S FILE`: the vendor's own accounts, rows name,domain,country."""

from deals.imports import direct_accounts_import
from prm.core.csv_import import TenantCsvImportCommand


class Command(TenantCsvImportCommand):
    help = "Import the vendor's direct accounts (name,domain,country); all rows or none."
    import_text = staticmethod(direct_accounts_import)
