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

How the copy is made: django-tenants' `clone_schema()` SQL function reads the whole
catalogue and slows down with every tenant (0.4 s with none, ~14 s with 170 schemas on
the bench machine: docs/benchmarks.md). So the template is turned into a recipe once,
`pg_dump --schema=<template>` as plain SQL with INSERTs (`TemplateRecipe`, refreshed
when the template's migrations change), and a clone replays it with the schema name
replaced, in one transaction on the request's own connection: constant time. Where
pg_dump cannot run (not installed, or older than the server), the library function is
the fallback.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
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
    refresh_recipe(schema)
    return pending


# --- Cloning by recipe ----------------------------------------------------------------

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Session settings pg_dump writes (the replay runs on a reused connection). Whole lines
# only: a line of a multi-line text value in the rows is never this exact shape.
# Recent pg_dump also writes psql-only `\restrict KEY` / `\unrestrict KEY` lines.
_SESSION_LINES = re.compile(
    r"^((SET [a-z_]+ = [^;]*|SELECT pg_catalog\.set_config\([^;]*\));|\\(un)?restrict \w+)$"
)


def template_state(schema: str) -> str:
    """A fingerprint of the migrations recorded in `schema`."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')
        rows = cursor.fetchall()
    return hashlib.md5(repr(rows).encode(), usedforsecurity=False).hexdigest()


def dump_recipe(schema: str) -> str | None:
    """`schema` as replayable SQL (structure, rows, sequence values), or None."""
    binary = shutil.which("pg_dump")
    if binary is None:
        logger.warning("pg_dump not found: vendors are cloned with clone_schema()")
        return None
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [
        binary,
        "--dbname",
        db["NAME"],
        "--username",
        db.get("USER") or "postgres",
        f"--schema={schema}",
        "--no-owner",
        "--no-privileges",
        "--column-inserts",
        "--rows-per-insert=500",
    ]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        logger.warning(
            "pg_dump failed, vendors are cloned with clone_schema(): %s", done.stderr.strip()
        )
        return None
    lines = [line for line in done.stdout.splitlines() if not _SESSION_LINES.match(line)]
    return "\n".join(lines) + "\n"


def refresh_recipe(schema: str) -> str | None:
    """Store a recipe for the template as it is now; answers its SQL (None: no pg_dump)."""
    from prm.tenancy.models import TemplateRecipe

    connection.set_schema_to_public()
    # pg_dump is another connection: inside our transaction it would not see what we just
    # did to the template, and would wait forever on the locks that did it.
    sql = None if connection.in_atomic_block else dump_recipe(schema)
    if sql is None:
        TemplateRecipe.objects.filter(template=schema).delete()
        return None
    TemplateRecipe.objects.update_or_create(
        template=schema, defaults={"state": template_state(schema), "sql": sql}
    )
    return sql


def current_recipe(schema: str) -> str | None:
    from prm.tenancy.models import TemplateRecipe

    connection.set_schema_to_public()
    recipe = TemplateRecipe.objects.filter(template=schema).first()
    if recipe is not None and recipe.state == template_state(schema):
        return recipe.sql
    return refresh_recipe(schema)


def clone_template(*, template: str, schema: str) -> bool:
    """Create `schema` as a copy of `template`; False when the recipe way is unavailable.

    Caller holds `template_lock()` with the template current (`current_template()`).
    """
    if not _SCHEMA_NAME.match(schema) or schema == template:
        return False
    sql = current_recipe(template)
    if sql is None:
        return False
    body = re.sub(rf"(?<![\w$]){re.escape(template)}(?![\w$])", schema, sql)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(body)
    return True


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
