"""Errors reach a Sentry-compatible service when SENTRY_DSN is set, tagged, without PII."""

import pytest

from prm.core.observability import request_id_var
from prm.core.sentry import init_sentry

sentry_sdk = pytest.importorskip("sentry_sdk")


class CapturingTransport(sentry_sdk.transport.Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture
def sentry():
    transport = CapturingTransport()
    assert init_sentry(
        "https://key@errors.example.invalid/1", environment="test", transport=transport
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)


def test_it_stays_off_without_a_dsn():
    assert init_sentry("", environment="test") is False


def test_it_reports_an_error_with_tenant_and_request_id(sentry, acme):
    token = request_id_var.set("req-sentry-0001")
    try:
        try:
            raise ValueError("import failed")
        except ValueError:
            sentry_sdk.capture_exception()
    finally:
        request_id_var.reset(token)
    sentry_sdk.flush()
    (event,) = sentry.events
    assert event["tags"]["schema"] == "acme"
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["environment"] == "test"
    # No cookies, user e-mail or IP address on events: the SDK's default, left as it is.
    assert sentry_sdk.get_client().should_send_default_pii() is False
