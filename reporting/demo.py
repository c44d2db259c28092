"""Demo reports (a demo seeder registered in ReportingConfig): the four sample partners'
September reports.

Idempotent: a report already imported for its partner (same bytes, SHA-256) is skipped.
The files in demo_reports/ are the shared samples: Northwind's UTF-8 CSV, Müller's cp1252
semicolon file, Saigon's workbook with merged titles and a totals row, and Lone Star's
UTF-16 "Unicode text" with partner part numbers (hence the aliases).
"""

import hashlib
from pathlib import Path

from partners.models import Partner
from prm.accounts.models import Role
from reporting import services
from reporting.models import Upload

DEMO_REPORTS = Path(__file__).resolve().parent / "demo_reports"
REPORTS = {
    "northwind": "northwind_pos_2026-09.csv",
    "mueller": "mueller_verkauf_2026-09.csv",
    "saigon": "saigon_doanhso_2026-09.xlsx",
    "lonestar": "lonestar_sales_sep.txt",
}


def seed(vendor) -> None:
    partners = {partner.slug: partner for partner in Partner.objects.filter(slug__in=REPORTS)}
    if not partners:
        return  # a vendor without the sample partners (globex)
    aliases = (DEMO_REPORTS / "sku_aliases.csv").read_text(encoding="utf-8")
    services.sku_aliases_import(text=aliases)
    for slug, name in REPORTS.items():
        partner = partners.get(slug)
        path = DEMO_REPORTS / name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if partner is None or Upload.objects.filter(partner=partner, sha256=digest).exists():
            continue
        admin = partner.memberships.filter(user__role=Role.PARTNER_ADMIN).first()
        services.report_import(
            partner=partner, path=path, uploaded_by=admin.user if admin else None
        )
