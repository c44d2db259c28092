"""`partner_data_quality --schema S --period YYYY-MM`: each partner's data quality as JSON.

One object per partner (active ones, by slug): partner, score (0-100, null while the
month is not yet due and nothing arrived), due, received, late_days, rows,
rejected_rows, unknown_sku_rows, duplicate_rows, customer_link_rate, and the reasons
that lowered the score. The stored scores the pages show are refreshed on the way.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.tenancy.models import Vendor
from reporting.quality.cadence import parse_month
from reporting.quality.scoring import reason_text, refresh


class Command(BaseCommand):
    help = "Print each partner's data-quality figures and score for one month (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="Vendor schema, e.g. acme")
        parser.add_argument("--period", required=True, help="Month, YYYY-MM")
        parser.add_argument("--partner", help="Only this partner (slug)")

    def handle(self, *args, schema: str, period: str, partner: str | None = None, **options):
        if not Vendor.objects.filter(schema_name=schema).exclude(schema_name="public").exists():
            raise CommandError(f"No vendor with schema {schema!r}.")
        try:
            parse_month(period)
        except ValueError as error:
            raise CommandError("--period must be a month written YYYY-MM.") from error
        with schema_context(schema):
            partners = Partner.objects.filter(status="active").order_by("slug")
            if partner:
                partners = partners.filter(slug=partner)
            rows = refresh(list(partners), period)
        for row in rows:
            row["reasons"] = [
                {"code": r["code"], "penalty": r["penalty"], "text": reason_text(r)}
                for r in row["reasons"]
            ]
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
