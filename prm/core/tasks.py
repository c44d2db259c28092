"""Tasks that belong to no app."""

import smtplib

from celery import shared_task
from django.conf import settings
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


@shared_task(
    # The mail server refusing or not answering: try again later, with pauses doubling
    # from EMAIL_RETRY_BACKOFF seconds up to ten minutes (below the broker's visibility
    # timeout), for about a day before giving up.
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=settings.EMAIL_RETRY_BACKOFF,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=settings.EMAIL_MAX_RETRIES,
)
def deliver_email(*, messages: list[dict], mark: dict | None = None) -> int:
    """The one way mail leaves (prm.core.mail.queue_email queues it); answers how many."""
    from prm.core.mail import deliver

    return deliver(messages=messages, mark=mark)
