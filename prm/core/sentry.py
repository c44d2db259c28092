"""Error reporting to Sentry (or any Sentry-compatible service such as GlitchTip).

Off unless SENTRY_DSN is set; sentry-sdk is imported only then. Events carry the tenant
schema and the request id (the same id as in the logs and the X-Request-ID header) as
tags, and no personal data (no cookies, no user e-mail): the SDK's default, so no option
is set for it (`send_default_pii` is deprecated from sentry-sdk 2.7x on, and its successor
`data_collection` does not exist in the 2.20 the project still accepts).
"""

from __future__ import annotations

from typing import Any


def add_context(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """`before_send`: tag the event with the tenant and the request id."""
    from django.db import connection

    from prm.core.observability import current_request_id, task_id_var

    tags = event.setdefault("tags", {})
    tags.setdefault("schema", getattr(connection, "schema_name", None) or "-")
    if current_request_id():
        tags.setdefault("request_id", current_request_id())
    if task_id_var.get():
        tags.setdefault("celery_task_id", task_id_var.get())
    return event


def init_sentry(
    dsn: str,
    *,
    environment: str,
    release: str = "",
    traces_sample_rate: float = 0.0,
    transport: Any = None,
) -> bool:
    """Start the SDK when `dsn` is set; answers whether it did."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "traces_sample_rate": traces_sample_rate,
        "before_send": add_context,
    }
    if release:
        options["release"] = release
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)
    return True
