from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prm.tenancy.backup import BackupError, restore_vendor


class Command(BaseCommand):
    help = "Restore one vendor from a backup_tenant file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="drop the vendor's current schema first (same transaction)",
        )

    def handle(self, *args, input, replace, **options):
        try:
            meta = restore_vendor(path=Path(input), replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {meta['vendor']['name']} ({meta['schema']}) from the backup of "
                f"{meta['created']}."
            )
        )
