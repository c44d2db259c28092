"""`import_report --schema S --partner SLUG FILE`: one report through the upload pipeline.

The same checks, storage, detection, mapping and COPY as an upload, run in this process
and waited for; prints a JSON summary. A new layout that needs a person to confirm its
columns stops at "needs_mapping" (exit code 2), a refused file exits with 1.
"""

import json
from dataclasses import asdict
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.tenancy.models import Vendor
from reporting.models import UploadStatus
from reporting.services import DuplicateUpload, report_import


class Command(BaseCommand):
    help = "Import one partner sales report through the upload pipeline; print a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True, help="Vendor schema, e.g. acme")
        parser.add_argument("--partner", required=True, help="Partner slug")
        parser.add_argument("file", help="The report (CSV/TSV/TXT, XLSX/XLS/ODS)")

    def handle(self, *args, schema: str, partner: str, file: str, **options):
        vendor = Vendor.objects.filter(schema_name=schema).exclude(schema_name="public").first()
        if vendor is None:
            raise CommandError(f"No vendor with schema {schema!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}.")
        with schema_context(schema):
            found = Partner.objects.filter(slug=partner).first()
            if found is None:
                raise CommandError(f"No partner {partner!r} in {schema}.")
            try:
                summary = asdict(report_import(partner=found, path=path))
            except DuplicateUpload as duplicate:
                self.stdout.write(
                    json.dumps(
                        {
                            "status": "refused",
                            "message": duplicate.messages[0],
                            "upload": duplicate.earlier.pk,
                        },
                        ensure_ascii=False,
                    )
                )
                raise CommandError(
                    "The same file was already imported for this partner."
                ) from duplicate
            except ValidationError as refused:
                self.stdout.write(
                    json.dumps(
                        {"status": "refused", "message": refused.messages[0]}, ensure_ascii=False
                    )
                )
                raise CommandError(refused.messages[0]) from refused
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
        if summary["status"] == UploadStatus.NEEDS_MAPPING:
            self.stderr.write("The columns need confirming on the report's page.")
            raise SystemExit(2)
        if summary["status"] != UploadStatus.DONE:
            raise CommandError(summary["message"] or "The import failed.")
