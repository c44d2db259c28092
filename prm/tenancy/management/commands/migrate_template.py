from django.core.management.base import BaseCommand

from prm.tenancy.template import (
    current_recipe,
    migrate_template,
    template_lock,
    template_schema_name,
)


class Command(BaseCommand):
    help = (
        "Create or migrate the template schema new vendors are cloned from "
        "(TENANT_BASE_SCHEMA). Run after `migrate_schemas` on every deploy."
    )

    def handle(self, *args, verbosity=1, **options):
        schema = template_schema_name()
        if not schema:
            self.stdout.write("No template schema configured (TENANT_BASE_SCHEMA is empty).")
            return
        with template_lock():
            applied = migrate_template(verbosity=max(0, verbosity - 1))
            recipe = current_recipe(schema)
        if recipe is None:
            self.stderr.write(
                "pg_dump unavailable: new vendors are cloned with the slower "
                "clone_schema() (docs/operations.md)."
            )
        if applied:
            self.stdout.write(
                self.style.SUCCESS(f"Template {schema}: applied {len(applied)} migration(s).")
            )
        else:
            self.stdout.write(f"Template {schema} is up to date.")
