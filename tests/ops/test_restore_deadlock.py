"""A restore that deadlocks with a reader of the schema it replaces is tried again."""

import logging
import shutil
import threading
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.tenancy.services import vendor_create
from tests.ops.test_backup import drop_vendor

pytestmark = pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump/psql")


def _connect() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )


def _wait_for(probe, *, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_restore_deadlocked_by_a_reader_is_tried_again(cast, django_db_blocker, tmp_path, caplog):
    schema = f"bkp{uuid.uuid4().hex[:8]}"
    backup = tmp_path / f"{schema}.sql"
    with django_db_blocker.unblock():
        try:
            vendor_create(schema=schema, name="Deadlock Co", domain=f"{schema}.localhost")
            call_command("backup_tenant", "--schema", schema, "--output", str(backup))
            with schema_context(schema):
                Partner.objects.create(name="Made After Backup", slug="later", country="US")

            with _connect() as reader, _connect() as watcher:
                watcher.autocommit = True
                # The reader must not be the deadlock's victim: the restore detects it first.
                reader.execute("SET deadlock_timeout = '60s'")
                held = f'"{schema}".partners_partner'
                reader.execute(f"SELECT count(*) FROM {held}")
                errors = []

                def restore():
                    try:
                        call_command("restore_tenant", "--input", str(backup), "--replace")
                    except Exception as exc:  # noqa: BLE001 - reported to the test below
                        errors.append(exc)

                worker = threading.Thread(target=restore)
                worker.start()
                # The restore's DROP waits for the reader's table, holding the tables it
                # has already taken.
                restorer = _wait_for(
                    lambda: watcher.execute(
                        "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass",
                        [held],
                    ).fetchone()
                )[0]
                taken = watcher.execute(
                    """
                    SELECT c.oid::regclass::text FROM pg_locks l
                    JOIN pg_class c ON c.oid = l.relation
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE l.pid = %s AND l.granted AND n.nspname = %s AND c.relkind = 'r'
                    ORDER BY 1
                    """,
                    [restorer, schema],
                ).fetchall()
                assert taken, "the DROP took none of the schema's tables before waiting"
                # The reader now asks for one of them: each waits for the other.
                with caplog.at_level(logging.WARNING):
                    reader.execute(f"SELECT count(*) FROM {taken[0][0]}")
                    reader.commit()
                    worker.join(timeout=60)
            assert not errors, errors
            assert "trying again" in caplog.text
            with schema_context(schema):
                assert not Partner.objects.filter(slug="later").exists()
        finally:
            drop_vendor(schema)
