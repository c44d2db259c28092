"""The template schema new vendors are cloned from (django-tenants TENANT_BASE_SCHEMA).

Running every tenant migration for a new vendor takes seconds and grows with each app;
copying an already migrated schema (`clone_schema`, DATA mode, so `django_migrations`,
content types and permissions come along) takes a fraction of that. The template holds no
vendor data: nothing but migrations ever writes to it.

The danger of a template is staleness: django-tenants fakes every migration on the clone,
so a template that missed a migration would give the new vendor a schema that *claims*
to be current but lacks a table. `ensure_template()` therefore checks the template against
the code's migration graph and migrates it first when anything is pending, under a
PostgreSQL advisory lock that every clone and every template migration takes, so a clone
never copies a half-migrated template and two processes never migrate it at once.
Deployments run `manage.py migrate_template` after `migrate_schemas` (docs/operations.md),
so the first vendor created after a deploy does not pay for the migration.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import get_tenant_database_alias, schema_context, schema_exists

logger = logging.getLogger(__name__)

# An arbitrary constant: the key of the advisory lock around template migration and cloning.
TEMPLATE_LOCK_KEY = 0x50524D54  # "PRMT"


def template_schema_name() -> str:
    """The template's schema, or "" when vendors are provisioned by running migrations."""
    if not getattr(settings, "TENANT_CREATION_FAKES_MIGRATIONS", False):
        return ""
    return getattr(settings, "TENANT_BASE_SCHEMA", "") or ""


@contextlib.contextmanager
def template_lock() -> Iterator[None]:
    """Hold the template's advisory lock on a connection of its own.

    Its own connection because `migrate_schemas` closes the default connection when it
    finishes a schema, which would silently release a session lock taken there.
    """
    alias = get_tenant_database_alias()
    lock_connection = connections.create_connection(alias)
    try:
        with lock_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK_KEY])
        yield
    finally:
        try:
            with lock_connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK_KEY])
        finally:
            lock_connection.close()


def pending_migrations(schema: str) -> list[str]:
    """Migrations of the code that `schema` has not recorded ("app.name"), in plan order.

    A missing schema counts as one pending item; a schema without a migration table has
    every migration pending.
    """
    if not schema_exists(schema):
        return ["(schema missing)"]
    with schema_context(schema):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(
            executor.loader.graph.leaf_nodes(), clean_start=not executor.recorder.has_table()
        )
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def migrate_template(*, verbosity: int = 0) -> list[str]:
    """Create the template schema if needed and apply pending migrations; returns them.

    Caller holds `template_lock()` (or is the only process, as in tests).
    """
    schema = template_schema_name()
    if not schema:
        return []
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    pending = pending_migrations(schema)
    if not pending:
        return []
    logger.info("template schema %s: applying %d migration(s)", schema, len(pending))
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=schema,
        interactive=False,
        verbosity=verbosity,
    )
    connection.set_schema_to_public()
    return pending


@contextlib.contextmanager
def current_template() -> Iterator[str]:
    """Hold the lock with the template up to date; yields its name ("" if none is used)."""
    schema = template_schema_name()
    if not schema:
        yield ""
        return
    with template_lock():
        migrate_template()
        yield schema
