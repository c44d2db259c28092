"""Webhook endpoints through the API: list, read, rotate the secret, delete (vendor admins);
foreign ids 404; a rotation signs deliveries with both secrets for a day."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from prm.webhooks import services
from prm.webhooks.models import Delivery, Endpoint
from tests.api.receivers import Receiver
from tests.api.support import key_for, with_key

JSON = "application/json"


@pytest.fixture
def admin_api(cast, acme, client_for):
    return with_key(client_for(None), key_for(cast.vendor_admin))


def _register(api, url="http://127.0.0.1:9/hook", events=("deal.approved",)):
    response = api.post(
        "/api/v1/webhooks/", {"url": url, "events": list(events)}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_a_vendor_admin_lists_reads_rotates_and_deletes_an_endpoint(admin_api, cast):
    created = _register(admin_api)
    path = f"/api/v1/webhooks/{created['id']}/"
    listed = admin_api.get("/api/v1/webhooks/").json()["results"]
    assert [e["url"] for e in listed if e["id"] == created["id"]] == ["http://127.0.0.1:9/hook"]
    assert all("secret" not in e for e in listed), "the secret is shown once, not in lists"

    read = admin_api.get(path).json()
    assert read["events"] == ["deal.approved"] and "secret" not in read
    assert read["previous_secret_until"] is None

    rotated = admin_api.post(f"{path}rotate-secret/", content_type=JSON)
    assert rotated.status_code == 200, rotated.content
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    until = datetime.fromisoformat(rotated.json()["previous_secret_until"])
    assert timedelta(hours=23) < until - timezone.now() <= timedelta(hours=24)
    assert Endpoint.objects.get(pk=created["id"]).secret == new_secret

    services.emit("deal.approved", {"id": 1})  # a pending delivery, to be removed too
    assert Delivery.objects.filter(endpoint_id=created["id"]).count() == 1
    deleted = admin_api.delete(path)
    assert deleted.status_code == 204 and deleted.content == b""
    assert not Endpoint.objects.filter(pk=created["id"]).exists()
    assert not Delivery.objects.filter(endpoint_id=created["id"]).exists(), "nothing left to send"
    assert admin_api.get(path).status_code == 404
    assert admin_api.delete(path).status_code == 404
    ids = [e["id"] for e in admin_api.get("/api/v1/webhooks/").json()["results"]]
    assert created["id"] not in ids


def test_another_vendors_endpoint_id_answers_404_and_is_left_alone(admin_api, cast):
    with schema_context("globex"):
        theirs = services.endpoint_create(
            user=cast.globex_admin, url="http://127.0.0.1:9/theirs", events=["deal.approved"]
        )
    Endpoint.objects.filter(pk=theirs.pk).delete()  # acme's own row with that id, if any
    path = f"/api/v1/webhooks/{theirs.pk}/"
    assert admin_api.get(path).status_code == 404
    assert admin_api.delete(path).status_code == 404
    assert admin_api.post(f"{path}rotate-secret/", content_type=JSON).status_code == 404
    with schema_context("globex"):
        assert Endpoint.objects.get(pk=theirs.pk).secret == theirs.secret


def test_after_a_rotation_deliveries_verify_with_both_secrets_for_a_day(admin_api, cast):
    with Receiver() as receiver:
        created = _register(admin_api, url=f"http://127.0.0.1:{receiver.port}/hook")
        old = created["secret"]
        rotated = admin_api.post(f"/api/v1/webhooks/{created['id']}/rotate-secret/")
        new = rotated.json()["secret"]

        [delivery] = services.emit("deal.approved", {"id": 7})
        services.delivery_attempt(delivery_id=delivery.pk)
        headers, body = receiver.requests[0]
        assert len(headers["webhook-signature"].split()) == 2
        assert Webhook(new).verify(body, headers)["data"] == {"id": 7}
        assert Webhook(old).verify(body, headers)["data"] == {"id": 7}

        Endpoint.objects.filter(pk=created["id"]).update(
            previous_secret_until=timezone.now() - timedelta(seconds=1)
        )
        [delivery] = services.emit("deal.approved", {"id": 8})
        services.delivery_attempt(delivery_id=delivery.pk)
        headers, body = receiver.requests[1]
        assert Webhook(new).verify(body, headers)["data"] == {"id": 8}
        with pytest.raises(Exception):  # noqa: B017 - the library's own error type
            Webhook(old).verify(body, headers)
