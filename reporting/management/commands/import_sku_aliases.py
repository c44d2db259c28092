"""`import_sku_aliases --schema S FILE`: rows partner,partner_sku,vendor_sku (partner = slug)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from prm.tenancy.models import Vendor
from reporting.services import sku_aliases_import


class Command(BaseCommand):
    help = "Import partners' SKU aliases (partner,partner_sku,vendor_sku); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="Vendor schema, e.g. acme")
        parser.add_argument("file", help="CSV file (UTF-8)")

    def handle(self, *args, schema: str, file: str, **options):
        if not Vendor.objects.filter(schema_name=schema).exclude(schema_name="public").exists():
            raise CommandError(f"No vendor with schema {schema!r}.")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        with schema_context(schema):
            result = sku_aliases_import(text=text)
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} error(s); nothing was imported. Fix the file and run "
                "the command again."
            )
        self.stdout.write(f"{result.created} created, {result.updated} updated.")
