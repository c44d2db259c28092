"""A webhook on a real receiver, sent by a real Celery worker after a CM approves via the API."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from prm.accounts.models import ApiKey
from prm.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from tests.api.receivers import Receiver
from tests.api.support import delivery_tried, key_for, with_key
from tests.conftest import TenantClient
from tests.deals.committed import committed_deal, purge_deals

pytestmark = pytest.mark.worker


def _client():
    """A client outside the test transaction (no `db`): what it does commits, so the
    worker sees it and `on_commit` work is queued."""
    return TenantClient("acme.localhost")


def _docs_verify():
    """The `verify` function of docs/api.md's snippet, run as a receiver would copy it."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    snippet = text.split("### Verifying a delivery (Python)")[1].split("```python")[1]
    namespace: dict = {}
    exec(snippet.split("```")[0], namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


@pytest.fixture
def committed(django_db_blocker, cast):
    made = {"deals": []}
    with django_db_blocker.unblock():
        yield made
        with schema_context("acme"):
            Endpoint.objects.filter(url__startswith="http://127.0.0.1:").delete()
            ApiKey.objects.filter(name="webhook-test").delete()
        purge_deals(made["deals"])


def test_it_posts_a_signed_deal_approved_within_seconds_of_an_api_approval(
    celery_worker, cast, django_db_blocker, committed
):
    with Receiver() as receiver, django_db_blocker.unblock():
        admin = with_key(_client(), key_for(cast.vendor_admin, name="webhook-test"))
        registered = admin.post(
            "/api/v1/webhooks/",
            {"url": receiver.url, "events": ["deal.approved"]},
            content_type="application/json",
        )
        assert registered.status_code == 201, registered.content
        secret = registered.json()["secret"]
        assert secret.startswith("whsec_")

        deal = committed_deal(cast.rep_a1, "Webhook Receiver Industries")
        committed["deals"].append(deal.pk)
        cm = with_key(_client(), key_for(cast.cm_a, name="webhook-test"))
        approved_at = time.monotonic()
        response = cm.post(
            f"/api/v1/deals/{deal.pk}/approve/",
            {"version": deal.version, "comment": "Looks right"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "approved"

        receiver.wait(1)
        elapsed = time.monotonic() - approved_at
        assert elapsed < 10, f"the webhook took {elapsed:.1f}s"
        headers, body = receiver.requests[0]

        # Checked by the Standard Webhooks reference library...
        payload = Webhook(secret).verify(body, headers)
        assert payload["type"] == "deal.approved"
        assert payload["data"]["id"] == deal.pk
        assert payload["data"]["partner"] == cast.partner_a.slug
        assert payload["data"]["status"] == "approved"
        # ...by the snippet docs/api.md gives receivers...
        assert _docs_verify()(secret, headers, body)
        assert not _docs_verify()(secret, headers, body.replace(b"approved", b"rejected"))
        # ...and by hand.
        key = base64.b64decode(secret.removeprefix("whsec_"))
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert headers["webhook-signature"] == f"v1,{expected}"
        assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
        # A signature made with another secret does not verify.
        with pytest.raises(Exception):  # noqa: B017 - the library's own error type
            Webhook(base64.b64encode(b"x" * 32).decode()).verify(body, headers)

        with schema_context("acme"):
            delivery = delivery_tried(headers["webhook-id"])
            assert delivery.status == DeliveryStatus.SUCCEEDED
            attempt = Attempt.objects.get(delivery=delivery)
            assert attempt.status_code == 204
        assert json.loads(body)["data"]["id"] == deal.pk
        assert len(receiver.requests) == 1, "nothing was sent twice"


def test_it_logs_a_failed_attempt_and_sends_again_on_request(
    celery_worker, cast, django_db_blocker, committed
):
    from prm.webhooks.services import delivery_send_again
    from prm.webhooks.tasks import deliver

    with Receiver(status=500) as receiver, django_db_blocker.unblock():
        admin = with_key(_client(), key_for(cast.vendor_admin, name="webhook-test"))
        registered = admin.post(
            "/api/v1/webhooks/",
            {"url": receiver.url, "events": ["deal.submitted"]},
            content_type="application/json",
        )
        assert registered.status_code == 201
        deal = committed_deal(cast.rep_a1, "Webhook Retry Systems")  # submitted
        committed["deals"].append(deal.pk)
        receiver.wait(1)
        with schema_context("acme"):
            delivery = Delivery.objects.get(endpoint_id=registered.json()["id"])
            deadline = time.monotonic() + 10
            while not delivery.attempts.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            failed = delivery.attempts.get()
            assert failed.status_code == 500
            delivery.refresh_from_db()
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.next_attempt_at is not None, "a retry is scheduled"

            # A duplicate message before the retry is due sends nothing.
            assert deliver.delay(delivery.pk).get(timeout=30) is None

            receiver.status = 200
            delivery_send_again(user=cast.vendor_admin, delivery_id=delivery.pk)
        receiver.wait(2)
        first, second = receiver.requests[0][0], receiver.requests[1][0]
        assert first["webhook-id"] == second["webhook-id"], "the same message, sent again"
        with schema_context("acme"):
            deadline = time.monotonic() + 10
            while delivery.status != DeliveryStatus.SUCCEEDED and time.monotonic() < deadline:
                time.sleep(0.1)
                delivery.refresh_from_db()
            assert delivery.status == DeliveryStatus.SUCCEEDED
            assert [a.status_code for a in delivery.attempts.order_by("at")] == [500, 200]


def test_deleting_an_endpoint_through_the_api_stops_its_retries(
    celery_worker, cast, django_db_blocker, committed
):
    from prm.webhooks.tasks import deliver

    with Receiver(status=503) as receiver, django_db_blocker.unblock():
        admin = with_key(_client(), key_for(cast.vendor_admin, name="webhook-test"))
        registered = admin.post(
            "/api/v1/webhooks/",
            {"url": receiver.url, "events": ["deal.submitted"]},
            content_type="application/json",
        )
        assert registered.status_code == 201
        endpoint_id = registered.json()["id"]
        deal = committed_deal(cast.rep_a1, "Webhook Deleted Endpoint Ltd")  # submitted
        committed["deals"].append(deal.pk)
        receiver.wait(1)
        with schema_context("acme"):
            delivery = Delivery.objects.get(endpoint_id=endpoint_id)
            deadline = time.monotonic() + 10
            while not delivery.attempts.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert delivery.attempts.get().status_code == 503
            # The retry is due now: the next task for it would send it...
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

        response = admin.delete(f"/api/v1/webhooks/{endpoint_id}/")
        assert response.status_code == 204

        with schema_context("acme"):
            # ...but after the delete the worker finds nothing to send.
            assert deliver.delay(delivery.pk).get(timeout=30) is None
            assert not Delivery.objects.filter(pk=delivery.pk).exists()
        assert admin.get(f"/api/v1/webhooks/{endpoint_id}/").status_code == 404
        time.sleep(1)
        assert len(receiver.requests) == 1, "no retry after the delete"


def test_send_again_on_the_endpoint_page_has_the_worker_deliver_it(
    celery_worker, cast, django_db_blocker, committed
):
    with Receiver(status=500) as receiver, django_db_blocker.unblock():
        api = with_key(_client(), key_for(cast.vendor_admin, name="webhook-test"))
        registered = api.post(
            "/api/v1/webhooks/",
            {"url": receiver.url, "events": ["deal.submitted"]},
            content_type="application/json",
        )
        endpoint_id = registered.json()["id"]
        deal = committed_deal(cast.rep_a1, "Webhook Page Retry GmbH")  # submitted
        committed["deals"].append(deal.pk)
        receiver.wait(1)
        page = _client()
        with schema_context("acme"):
            page.force_login(cast.vendor_admin)
            delivery = Delivery.objects.get(endpoint_id=endpoint_id)
            deadline = time.monotonic() + 10
            while not delivery.attempts.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        html = page.get(f"/settings/webhooks/{endpoint_id}/").content.decode()
        assert "<strong>500</strong>" in html

        receiver.status = 200
        clicked = page.post(f"/settings/webhooks/deliveries/{delivery.pk}/send-again/")
        assert clicked.status_code == 302
        receiver.wait(2)
        assert receiver.requests[1][0]["webhook-id"] == receiver.requests[0][0]["webhook-id"]
        deadline = time.monotonic() + 10
        while "Delivered" not in html and time.monotonic() < deadline:
            time.sleep(0.2)
            html = page.get(f"/settings/webhooks/{endpoint_id}/").content.decode()
        first_row = html.split("<tbody>")[1].split("</tr>")[0]
        assert "Delivered" in first_row and "<strong>200</strong>" in first_row
