"""Tasks that belong to no app."""

from celery import shared_task
from django.db import connection


@shared_task
def current_schema() -> str:
    """Answers the schema the task ran in: lets tests and the health check prove routing."""
    return connection.schema_name


@shared_task
def task_context() -> dict[str, str]:
    """The schema and request id a task runs with (health checks and tests of propagation)."""
    from prm.core.observability import current_request_id

    return {"schema": connection.schema_name, "request_id": current_request_id()}


@shared_task
def forget_task_runs(days: int = 30) -> int:
    """Trim the run-once ledger (prm.core.idempotency); run it daily in the public schema."""
    from datetime import timedelta

    from prm.core.idempotency import forget_task_runs as forget

    return forget(older_than=timedelta(days=days))
