"""Withdrawing a report while a real worker imports it: refused at once, nothing lost.

The worker's import is held in the middle of its store (tests/reporting/holding.py).
"""

import time
import uuid

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from reporting.models import SalesLine, UploadWithdrawal
from tests.api.support import delivery_tried, key_for, with_key
from tests.conftest import TenantClient, host_of, wait_for_worker_idle
from tests.reporting.conftest import _quality_step_finished
from tests.reporting.holding import HOLD, while_reimport_is_held
from tests.reporting.test_worker import _products, _receive
from tests.reporting.uploads import september_csv
from tests.reporting.waiting import wait_for_upload

pytestmark = pytest.mark.worker

ROWS = 2_000


@pytest.fixture
def private_media(settings):
    """Override the folder-per-test fixture: the worker must find the stored files."""
    return settings.MEDIA_ROOT


def _withdraw(client, api, upload_id: int, answers: dict) -> None:
    """The page's POST and the API's DELETE, each with the time it took to answer."""
    try:
        started = time.monotonic()
        page = client.post(reverse("reporting:withdraw", args=[upload_id]), {"confirm": "1"})
        answers["page"] = (page, time.monotonic() - started)
        started = time.monotonic()
        deleted = api.delete(f"/api/v1/uploads/{upload_id}/")
        answers["api"] = (deleted, time.monotonic() - started)
    finally:
        connection.close()


def test_a_report_being_imported_is_refused_at_once_and_nothing_is_lost(
    celery_worker, cast, committed
):
    _products(committed, "WD-SW", "WD-AP")
    content = september_csv("WD", ROWS)
    upload = _receive(committed, cast, "withdraw-me.csv", content)
    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed", "needs_mapping"), 60)
    assert (done.status, done.line_count) == ("done", ROWS), done.message
    _quality_step_finished([upload.pk])  # its own short hold of the upload row is over

    client = TenantClient(host_of(cast.acme))
    with schema_context("acme"):
        client.force_login(cast.partner_a_admin)
    api = with_key(TenantClient(host_of(cast.acme)), key_for(cast.partner_a_admin))
    answers: dict = {}

    # Processed again (say, after an alias was added): the worker deletes the old lines
    # and stops, holding the upload, until the ids are free.
    done, held_for = while_reimport_is_held(
        cast.partner_a_admin, upload.pk, lambda: _withdraw(client, api, upload.pk, answers)
    )

    page, page_took = answers["page"]
    deleted, api_took = answers["api"]
    assert page.status_code == 200
    assert (
        "This report is being imported; you can withdraw it when it has finished."
        in page.content.decode()
    )
    assert deleted.status_code == 409 and deleted.json()["code"] == "importing"
    assert held_for >= HOLD
    assert page_took < 1.0 and api_took < 1.0, (page_took, api_took, held_for)
    # Nothing lost: the import finished with every line, the upload and its file stay.
    assert (done.status, done.line_count) == ("done", ROWS), done.message
    with schema_context("acme"):
        assert SalesLine.objects.filter(upload_id=upload.pk).count() == ROWS
        assert not UploadWithdrawal.objects.filter(upload_id=upload.pk).exists()
        assert default_storage.exists(done.file.name)
        client.logout()
    wait_for_worker_idle()


def test_a_withdrawal_posts_a_signed_upload_withdrawn_to_subscribed_endpoints_only(
    celery_worker, cast, committed
):
    """A system that keeps a copy of the sales lines learns that a report's lines went."""
    from standardwebhooks import Webhook

    from prm.webhooks import services as webhook_services
    from prm.webhooks.models import Delivery, DeliveryStatus, Endpoint
    from tests.api.receivers import Receiver

    _products(committed, "WH-SW")
    marker = uuid.uuid4().hex[:8]
    content = (
        "Invoice No,Invoice Date,SKU,Qty,Unit Price,Currency\n"
        f"H{marker}-1,2026-08-03,WH-SW,1,10.00,USD\n"
        f"H{marker}-2,2026-09-04,WH-SW,2,10.00,USD\n"
        f"H{marker}-3,2026-09-05,WH-SW,3,10.00,USD\n"
    ).encode()
    upload = _receive(committed, cast, "taken-back.csv", content)
    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed", "needs_mapping"), 60)
    assert (done.status, done.line_count) == ("done", 3), done.message
    _quality_step_finished([upload.pk])

    with Receiver() as subscribed, Receiver() as other:
        try:
            with schema_context("acme"):
                listening = webhook_services.endpoint_create(
                    user=cast.vendor_admin, url=subscribed.url, events=["upload.withdrawn"]
                )
                webhook_services.endpoint_create(
                    user=cast.vendor_admin,
                    url=other.url,
                    events=["upload.imported", "upload.failed"],
                )
            api = with_key(TenantClient(host_of(cast.acme)), key_for(cast.partner_a_admin))

            # The worker's work after an import may hold the upload a moment longer (409
            # `busy`): the client tries again, as the answer says.
            deadline = time.monotonic() + 20
            while (deleted := api.delete(f"/api/v1/uploads/{upload.pk}/")).status_code == 409:
                assert deleted.json()["code"] == "busy", deleted.content
                assert time.monotonic() < deadline, "the upload stayed busy"
                time.sleep(0.2)
            assert deleted.status_code == 204, deleted.content

            subscribed.wait(1)
            headers, body = subscribed.requests[0]
            message = Webhook(listening.secret).verify(body, headers)
            assert message["type"] == "upload.withdrawn"
            data = message["data"]
            assert data["id"] == upload.pk
            assert data["partner"] == cast.partner_a.slug
            assert data["original_name"] == "taken-back.csv"
            assert data["line_count"] == 3
            assert data["months"] == ["2026-08", "2026-09"]
            assert data["withdrawn_by"] == cast.partner_a_admin.email
            assert data["withdrawn_at"]
            with schema_context("acme"):
                delivery = delivery_tried(headers["webhook-id"])
                assert delivery.status == DeliveryStatus.SUCCEEDED
                assert not Delivery.objects.filter(endpoint__url=other.url).exists()
            wait_for_worker_idle()
            assert other.requests == [], "an endpoint not subscribed gets nothing"
            assert len(subscribed.requests) == 1
        finally:
            with schema_context("acme"):
                Endpoint.objects.filter(url__in=[subscribed.url, other.url]).delete()
