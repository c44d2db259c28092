"""Request ids and structured logs, from the web request into the Celery tasks it queues.

- `RequestIdMiddleware` takes the caller's `X-Request-ID` (a load balancer's, say) when it
  looks like an id, or makes one, and answers with it: a user quoting the id from an
  error page lets us find every log line of that request.
- Every log record gets `request_id`, `schema` (the tenant) and, inside a Celery task,
  `task_id` (`ContextFilter`); `KeyValueFormatter` / `JsonFormatter` write them out as
  one line per record (settings: LOG_FORMAT=kv|json).
- Celery: the id travels in a message header (`before_task_publish`) and is restored in
  the worker before the task runs (`task_prerun`), so a task's log lines carry the id of
  the request that queued it. The worker logs through the same LOGGING configuration
  (`setup_logging`), not Celery's own format.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid

from celery import signals
from django.db import connection

from prm.accounts.network import client_ip

REQUEST_ID_HEADER = "X-Request-ID"
MESSAGE_HEADER = "prm_request_id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
task_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("task_id", default="")
client_var: contextvars.ContextVar[str] = contextvars.ContextVar("client", default="")


def current_request_id() -> str:
    return request_id_var.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every request an id (`request.request_id`), echoed in `X-Request-ID`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_ID.match(incoming) else new_request_id()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        client_token = client_var.set(client_ip(request) or "")
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            client_var.reset(client_token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class ContextFilter(logging.Filter):
    """Adds request_id, schema and task_id to every record (empty when not known)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        record.task_id = task_id_var.get() or "-"
        record.client = client_var.get() or "-"
        try:
            record.schema = getattr(connection, "schema_name", None) or "-"
        except Exception:  # noqa: BLE001 - logging must never fail
            record.schema = "-"
        # django_tenants' TenantContextFilter name, kept for formats that use it.
        record.schema_name = record.schema
        return True


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "client",
    "schema",
    "schema_name",
    "domain_url",
}


def _fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, object]:
    fields: dict[str, object] = {
        "ts": formatter.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
        "level": record.levelname,
        "logger": record.name,
        "schema": getattr(record, "schema", "-"),
        "request_id": getattr(record, "request_id", "-"),
    }
    if getattr(record, "task_id", "-") != "-":
        fields["task_id"] = record.task_id
    # The client's address as prm.accounts.network.client_ip finds it (behind proxies).
    if getattr(record, "client", "-") != "-":
        fields["client"] = record.client
    fields["msg"] = record.getMessage()
    # Extra fields passed as logger.info(..., extra={...}).
    for key, value in vars(record).items():
        if key not in _STANDARD and not key.startswith("_"):
            fields[key] = value
    if record.exc_info:
        fields["exc"] = formatter.formatException(record.exc_info)
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    converter = __import__("time").gmtime

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_fields(record, self), default=str, ensure_ascii=False)


class KeyValueFormatter(logging.Formatter):
    """`key=value` pairs (values with spaces quoted): readable and still greppable."""

    converter = __import__("time").gmtime

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        for key, value in _fields(record, self).items():
            text = str(value)
            if key == "exc" or not text or any(c in text for c in ' "=\n'):
                text = json.dumps(text, ensure_ascii=False)
            parts.append(f"{key}={text}")
        return " ".join(parts)


# --- Celery ---------------------------------------------------------------------------


@signals.before_task_publish.connect
def _add_request_id_header(headers=None, **kwargs):
    request_id = request_id_var.get()
    if headers is not None and request_id and MESSAGE_HEADER not in headers:
        headers[MESSAGE_HEADER] = request_id


def _header(task, name: str) -> str:
    request = task.request
    value = request.get(name) if hasattr(request, "get") else None
    if not value and getattr(request, "headers", None):
        value = request.headers.get(name)
    return value or ""


@signals.task_prerun.connect
def _restore_request_id(task_id=None, task=None, **kwargs):
    if task is None:
        return
    request_id_var.set(_header(task, MESSAGE_HEADER) or f"task-{task_id}")
    task_id_var.set(task_id or "")


@signals.task_postrun.connect
def _forget_request_id(**kwargs):
    request_id_var.set("")
    task_id_var.set("")


@signals.setup_logging.connect
def _use_django_logging(**kwargs):
    """Connected, so Celery leaves logging alone: the worker uses settings.LOGGING."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
