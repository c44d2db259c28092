"""Run task work once, however often the message is delivered.

Celery with acks_late + reject_on_worker_lost delivers a message *at least* once: a
worker killed after the work but before the ack, a Redis restart, a visibility timeout
all deliver it again. Two tools, for the two shapes of work:

1. A ledger (`TaskRun`), for work that creates things (send, import, notify):

    @shared_task
    @idempotent(key=lambda upload_id: f"ingest:{upload_id}")
    def ingest(upload_id): ...

   The body runs inside `transaction.atomic()` after claiming the key; a second delivery
   finds the key taken and returns None without running. If the body fails, the claim
   rolls back with it, so a retry runs again. Without `key`, the Celery task id is used
   (covers redelivery of one message, not the same work queued twice). Non-database
   effects (e-mail, HTTP calls) go in `transaction.on_commit` so they happen only when
   the claim commits. `claim_once(key)` is the same check for use inside your own atomic
   block.

2. A state transition on the job's own row, for work on one row with a status: lock it
   with `select_for_update()` and act only when the status still says there is work
   (`if upload.status != "queued": return`). No ledger needed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name


def claim_once(key: str, *, task_name: str = "") -> bool:
    """Record `key` for the current schema; False when it was already recorded.

    Must run inside `transaction.atomic()` together with the work it guards. A concurrent
    claim of the same key waits for the first transaction and then answers False (or True
    if the first rolled back).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("claim_once must run inside transaction.atomic() with the work")
    from prm.core.models import TaskRun

    table = connection.ops.quote_name(TaskRun._meta.db_table)
    public = connection.ops.quote_name(get_public_schema_name())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {public}.{table} (schema_name, key, task_name, created_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (schema_name, key) DO NOTHING RETURNING id",
            [connection.schema_name, key[:200], task_name[:200], timezone.now()],
        )
        return cursor.fetchone() is not None


def idempotent(key: Callable[..., str] | None = None):
    """Decorator for a task body (below @shared_task): run it at most once per key."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            from celery import current_task

            task_name = getattr(current_task, "name", "") or func.__qualname__
            if key is not None:
                claim = key(*args, **kwargs)
            else:
                task_id = getattr(getattr(current_task, "request", None), "id", None)
                if not task_id:
                    raise RuntimeError("idempotent() without key= needs a Celery task id")
                claim = f"{task_name}:{task_id}"
            with transaction.atomic():
                if not claim_once(claim, task_name=task_name):
                    return None
                return func(*args, **kwargs)

        return wrapper

    return decorate


def forget_task_runs(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete ledger rows older than any redelivery can be (visibility timeout is 1 h)."""
    from prm.core.models import TaskRun

    deleted, _ = TaskRun.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
