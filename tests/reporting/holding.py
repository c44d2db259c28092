"""A worker's import held in the middle of its store, for tests of what users do meanwhile.

The import of an upload processed again locks its upload row (FOR KEY SHARE), deletes its
previous lines, and waits for the vendor's line ids, which a second session holds
(`hold_line_ids`), as another import storing its lines would. Data is committed for the
worker to see (the `committed` pattern).
"""

import threading
import time
from collections.abc import Callable

import psycopg
from django.db import connection
from django_tenants.utils import schema_context

from reporting import services
from reporting.models import Upload, UploadStatus
from tests.reporting.waiting import wait_for_upload

#: How long the import is held mid-store. What the test checks must answer well within it.
HOLD = 6.0


def line_ids_held_elsewhere() -> psycopg.Connection:
    """A second session holding acme's line ids until it rolls back."""
    with schema_context("acme"), connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        (database,) = cursor.fetchone()
        params = {k: v for k, v in connection.get_connection_params().items() if k != "context"}
        params.pop("cursor_factory", None)
        other = psycopg.connect(**(params | {"dbname": database}))
        other.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s), 0)",
            [f"reporting.salesline.ids:{connection.schema_name}"],
        )
    return other


def import_waits_for_the_line_ids(upload_id: int, timeout: float = 60) -> None:
    """Until the worker's import of the upload is in its store, waiting for the ids."""
    deadline = time.monotonic() + timeout
    with schema_context("acme"), connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory' "
                "AND query LIKE %s",
                ["%pg_advisory_xact_lock%"],
            )
            status = Upload.objects.filter(pk=upload_id).values_list("status", flat=True).get()
            if cursor.fetchone() and status == UploadStatus.PROCESSING:
                return
            time.sleep(0.05)
    raise AssertionError("the import never reached its store")


def while_reimport_is_held(user, upload_id: int, requests: Callable[[], None]):
    """Process the upload again as `user`, and once its import is held mid-store run
    `requests` in a thread; the import is let go after HOLD seconds. Returns the upload
    once its import ended, and how long the import was held. In a thread: were a request
    to wait for the import, the hold still ends and the test fails on the time instead of
    hanging."""
    other = line_ids_held_elsewhere()
    try:
        with schema_context("acme"):
            services.upload_reprocess(user=user, upload_id=upload_id)
        import_waits_for_the_line_ids(upload_id)
        held_since = time.monotonic()
        thread = threading.Thread(target=requests)
        thread.start()
        thread.join(HOLD)
        time.sleep(max(0.0, HOLD - (time.monotonic() - held_since)))
    finally:
        other.rollback()
        other.close()
    thread.join(60)
    done = wait_for_upload(upload_id, lambda u: u.status in ("done", "failed"), 60)
    return done, time.monotonic() - held_since
