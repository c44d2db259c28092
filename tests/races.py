"""Two connections meeting at a known point: one side's transaction is held open until the
other waits on a lock it holds, then committed. For races between the worker and the
requests (docs/architecture.md, "The worker beside the requests"), played on committed
rows in acme without a worker, so the order is the test's, not chance's."""

from __future__ import annotations

import threading
import time

from django.db import connection, transaction


class Side(threading.Thread):
    """One connection to acme doing `work`; keeps its backend pid and what came of it."""

    def __init__(self, django_db_blocker, work):
        super().__init__(daemon=True)
        self.blocker, self.work = django_db_blocker, work
        self.pid: int | None = None
        self.outcome = "not finished"
        self.connected = threading.Event()

    def run(self):
        try:
            with self.blocker.unblock():
                connection.set_schema("acme")
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid = cursor.fetchone()[0]
                self.connected.set()
                self.work()
                self.outcome = "done"
        except Exception as error:  # noqa: BLE001 - the assertions report it
            self.outcome = f"error: {error!r}"
        finally:
            self.connected.set()
            connection.close()


def wait_until_waiting_on_a_lock(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited on a lock")


def held_then(django_db_blocker, first, then) -> tuple[str, str]:
    """Run ``first`` in a transaction held open; run ``then`` on another connection until
    it waits on a lock ``first`` took; commit ``first``. Returns both outcomes ("done" or
    the error)."""
    did_first, release = threading.Event(), threading.Event()

    def first_and_hold():
        with transaction.atomic():
            first()
            did_first.set()
            release.wait(60)

    holder = Side(django_db_blocker, first_and_hold)
    waiter = Side(django_db_blocker, then)
    try:
        holder.start()
        assert did_first.wait(30), holder.outcome
        waiter.start()
        waiter.connected.wait(30)
        with django_db_blocker.unblock():
            wait_until_waiting_on_a_lock(waiter.pid)
    finally:
        release.set()
        holder.join(60)
        waiter.join(60)
    return holder.outcome, waiter.outcome


def _connect():
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"],
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
    )


def drop_deadlocked_by_a_reader(schema: str, drop) -> list[Exception]:
    """Run ``drop`` (which drops ``schema``) in a thread while another connection, reading
    the schema as a worker task would, deadlocks with it once: the reader holds one table;
    when the DROP waits for it, the reader asks for a table the DROP already took. The
    reader waits longer than the DROP before checking for a deadlock, so the DROP is the
    victim. Returns what ``drop`` raised."""
    errors: list[Exception] = []

    def run():
        try:
            drop()
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connection.close()

    with _connect() as reader, _connect() as watcher:
        watcher.autocommit = True
        reader.execute("SET deadlock_timeout = '60s'")
        held = f'"{schema}".partners_partner'
        reader.execute(f"SELECT count(*) FROM {held}")  # a task's first read
        dropper = threading.Thread(target=run)
        dropper.start()
        deadline = time.monotonic() + 20
        row = None
        while row is None and time.monotonic() < deadline:
            row = watcher.execute(
                "SELECT pid FROM pg_locks WHERE NOT granted AND relation = %s::regclass", [held]
            ).fetchone()
            time.sleep(0.05)
        assert row, "the DROP never waited for the reader's table"
        taken = watcher.execute(
            """
            SELECT c.oid::regclass::text FROM pg_locks l
            JOIN pg_class c ON c.oid = l.relation
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = %s AND l.granted AND n.nspname = %s AND c.relkind = 'r'
            ORDER BY 1
            """,
            [row[0], schema],
        ).fetchall()
        assert taken, "the DROP took none of the schema's tables before waiting"
        reader.execute(f"SELECT count(*) FROM {taken[0][0]}")  # its next read: deadlock
        reader.commit()
        dropper.join(60)
    return errors
