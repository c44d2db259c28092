"""`export_sales --schema S [--partner SLUG]`: canonical sales lines as CSV on stdout.

Columns (docs/report-pipeline.md): partner,invoice_number,invoice_date,reseller,end_customer,
end_customer_country,vendor_sku,partner_sku,quantity,unit_price,amount,currency. Written by
PostgreSQL itself (COPY TO STDOUT), so a million lines stream without Python per row.
Amounts come out exactly as stored ("19200.00", "21158200").
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.tenancy.models import Vendor
from reporting.ingest import LINE_COLUMNS
from reporting.models import SalesLine, Upload


class Command(BaseCommand):
    help = "Write canonical sales lines as CSV to stdout (all partners, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="Vendor schema, e.g. acme")
        parser.add_argument("--partner", help="Only this partner (slug)")

    def handle(self, *args, schema: str, partner: str | None = None, **options):
        if not Vendor.objects.filter(schema_name=schema).exclude(schema_name="public").exists():
            raise CommandError(f"No vendor with schema {schema!r}.")
        with schema_context(schema):
            where = ""
            if partner:
                found = Partner.objects.filter(slug=partner).first()
                if found is None:
                    raise CommandError(f"No partner {partner!r} in {schema}.")
                # An integer id, inlined: COPY takes no parameters under DEBUG's wrapper.
                where = f"WHERE l.partner_id = {int(found.pk)}"
            # Empty text becomes NULL so CSV writes it as an empty field, not "".
            select = f"""
                SELECT p.slug, NULLIF(l.invoice_number, ''), l.invoice_date, NULLIF(l.reseller, ''),
                       NULLIF(l.end_customer, ''), NULLIF(l.end_customer_country, ''),
                       l.vendor_sku, NULLIF(l.partner_sku, ''), l.quantity, l.unit_price,
                       l.amount, l.currency
                  FROM {SalesLine._meta.db_table} l
                  JOIN {Partner._meta.db_table} p ON p.id = l.partner_id
                  JOIN {Upload._meta.db_table} u ON u.id = l.upload_id
                  {where}
                 ORDER BY p.slug, u.created_at, u.id, l.source_row
            """
            self.stdout.write(",".join(LINE_COLUMNS))
            with connection.cursor() as cursor:
                with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                    for data in copy:
                        self.stdout.write(bytes(data).decode("utf-8"), ending="")
