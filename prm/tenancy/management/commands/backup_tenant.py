from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prm.tenancy.backup import BackupError, backup_vendor


class Command(BaseCommand):
    help = "Write one vendor's schema and its vendor/domain rows to a SQL backup file."

    def add_arguments(self, parser):
        parser.add_argument("--schema", required=True)
        parser.add_argument("--output", required=True, help="file to write (plain SQL)")

    def handle(self, *args, schema, output, **options):
        try:
            meta = backup_vendor(schema=schema, path=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = Path(output).stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {meta['vendor']['name']} ({schema}) to {output} ({size} bytes)."
            )
        )
