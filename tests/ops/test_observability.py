"""Request ids and structured logs, from the request into the Celery task it queues."""

import io
import json
import logging
import uuid

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from prm.core.observability import (
    ContextFilter,
    JsonFormatter,
    KeyValueFormatter,
    request_id_var,
)
from prm.core.tasks import task_context


@pytest.fixture
def json_log():
    """Root records as our console handler formats them, in JSON, one per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_it_gives_every_response_a_request_id(cast, acme, client_for):
    response = client_for(None).get("/login/")
    assert len(response["X-Request-ID"]) == 32


def test_it_keeps_a_well_formed_incoming_request_id(cast, acme, client_for):
    response = client_for(None).get("/login/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


def test_it_replaces_a_malformed_incoming_request_id(cast, acme, client_for):
    response = client_for(None).get("/login/", HTTP_X_REQUEST_ID='x" onload=alert(1)')
    assert response["X-Request-ID"] != 'x" onload=alert(1)'
    assert len(response["X-Request-ID"]) == 32


def test_it_logs_the_tenant_and_request_id_of_a_request(cast, acme, client_for, json_log):
    response = client_for(None).post("/login/", {"username": cast.rep_b.email, "password": "wrong"})
    lines = [line for line in json_log() if line["request_id"] == response["X-Request-ID"]]
    assert lines, "no log line carried the request id"
    assert {line["schema"] for line in lines} == {"acme"}


def test_it_writes_key_value_lines_with_context(acme):
    record = logging.LogRecord(
        "prm.test", logging.INFO, __file__, 1, "deal %s approved", ("D-1",), None
    )
    token = request_id_var.set("req-abc-123456")
    try:
        ContextFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = KeyValueFormatter().format(record)
    assert "schema=acme" in line
    assert "request_id=req-abc-123456" in line
    assert 'msg="deal D-1 approved"' in line


def test_it_carries_the_request_id_into_a_task_on_a_real_worker(celery_worker):
    request_id = f"req-{uuid.uuid4().hex}"
    token = request_id_var.set(request_id)
    try:
        with schema_context("acme"):
            result = task_context.delay()
    finally:
        request_id_var.reset(token)
    assert result.get(timeout=30) == {"schema": "acme", "request_id": request_id}


def test_it_reports_a_healthy_worker(celery_worker, capsys):
    call_command("health_worker", "--schema", "globex", "--timeout", "30")
    answer = json.loads(capsys.readouterr().out)
    assert answer["status"] == "ok"
    assert answer["workers"]
