"""`migrate_schemas --tenant`, but only for the vendor schemas that need it.

With nothing to apply, `migrate_schemas --tenant` still runs Django's migrate command in
every schema (plan, post-migrate handlers): about 1 s per vendor, 9 minutes for 500
(docs/benchmarks.md). This command first reads every vendor's recorded migrations in one
query and compares them with the code's; schemas that match are skipped. When most
schemas need the migration anyway, it hands over to `migrate_schemas --tenant` (with
`--executor` as given) so the parallel executor can be used.

    manage.py migrate_tenants [--executor=multiprocessing] [--dry-run]
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from prm.tenancy.models import Vendor


def schemas_needing_migrations() -> tuple[list[str], int]:
    """(schemas whose recorded migrations differ from the code's, number of schemas)."""
    connection.set_schema_to_public()
    expected = set(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
    schemas = list(
        Vendor.objects.exclude(schema_name="public")
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    recorded: dict[str, set] = {schema: set() for schema in schemas}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = 'django_migrations' AND n.nspname = ANY(%s)",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(present), 200):
            chunk = present[start : start + 200]
            cursor.execute(
                " UNION ALL ".join(
                    f'SELECT %s, app, name FROM "{schema}".django_migrations' for schema in chunk
                ),
                chunk,
            )
            for schema, app, name in cursor.fetchall():
                recorded[schema].add((app, name))
    stale = [schema for schema in schemas if recorded[schema] != expected]
    return stale, len(schemas)


class Command(BaseCommand):
    help = "Migrate only the vendor schemas whose migrations differ from the code's."

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor", default="standard", choices=["standard", "multiprocessing"]
        )
        parser.add_argument("--dry-run", action="store_true", help="only list them")

    def handle(self, *args, executor, dry_run, verbosity=1, **options):
        stale, total = schemas_needing_migrations()
        self.stdout.write(f"{len(stale)} of {total} vendor schemas need migrations.")
        if dry_run or not stale:
            for schema in stale:
                self.stdout.write(f"  {schema}")
            return
        if len(stale) > total // 2:
            call_command(
                "migrate_schemas",
                tenant=True,
                executor=executor,
                interactive=False,
                verbosity=verbosity,
            )
            return
        for schema in stale:
            call_command(
                "migrate_schemas",
                tenant=True,
                schema_name=schema,
                interactive=False,
                verbosity=verbosity,
            )
