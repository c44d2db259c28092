"""`seed_scale --replace` drops its vendors even when a worker task reading one of them
deadlocks with the DROP: the drop is tried again."""

import threading
import time
import uuid

import psycopg
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

from prm.seeding import scale
from prm.seeding.scale.spec import SEED_MARK
from prm.tenancy.models import Vendor
from prm.tenancy.services import vendor_create


def _connect() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )


def _waiting_dropper(watcher, table: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = watcher.execute(
            "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [table]
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.05)
    raise AssertionError("the DROP never waited for the reader's table")


def test_it_drops_a_seeded_vendor_after_a_deadlock_with_a_reader(cast, django_db_blocker):
    schema = f"seeddrop{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        try:
            vendor_create(schema=schema, name=f"Drop Me {SEED_MARK}", domain=f"{schema}.localhost")
            connection.close()
            errors = []

            def drop():
                try:
                    scale.drop_vendors([schema])
                except Exception as error:  # noqa: BLE001 - reported by the assertion below
                    errors.append(error)
                finally:
                    connection.close()

            with _connect() as reader, _connect() as watcher:
                watcher.autocommit = True
                reader.execute("SET deadlock_timeout = '60s'")  # the DROP is the victim
                held = f'"{schema}".partners_partner'
                reader.execute(f"SELECT count(*) FROM {held}")  # a task's first read
                dropper = threading.Thread(target=drop)
                dropper.start()
                pid = _waiting_dropper(watcher, held)
                taken = watcher.execute(
                    """
                    SELECT c.oid::regclass::text FROM pg_locks l
                    JOIN pg_class c ON c.oid = l.relation
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE l.pid = %s AND l.granted AND n.nspname = %s AND c.relkind = 'r'
                    ORDER BY 1
                    """,
                    [pid, schema],
                ).fetchall()
                assert taken, "the DROP took none of the schema's tables before waiting"
                reader.execute(f"SELECT count(*) FROM {taken[0][0]}")  # its next read: deadlock
                reader.commit()
                dropper.join(60)
            assert errors == []
            assert not schema_exists(schema)
            assert not Vendor.objects.filter(schema_name=schema).exists()
        finally:
            connection.set_schema_to_public()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            Vendor.objects.filter(schema_name=schema).delete()
