"""The shape shared by the `import_* --schema S FILE` commands: all rows or none."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from prm.tenancy.models import Vendor


class TenantCsvImportCommand(BaseCommand):
    """Reads a UTF-8 CSV, runs `import_text(text=...)` in the vendor's schema, reports
    every row error with its line and imports nothing while any remains.

    Subclasses set `help` and `import_text = staticmethod(service)`: a service returning
    an object with `errors` as (line, message) pairs and `created` / `updated` counts.
    """

    import_text: Callable

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
            result = self.import_text(text=text)
        for line, message in result.errors:
            self.stderr.write(f"line {line}: {message}")
        if result.errors:
            raise CommandError(
                f"{len(result.errors)} error(s); nothing was imported. Fix the file and run "
                "the command again."
            )
        self.stdout.write(f"{result.created} created, {result.updated} updated.")
