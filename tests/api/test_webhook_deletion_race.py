"""Deleting a webhook endpoint while the worker records an attempt to it.

The worker posts outside any transaction, then records the attempt under the delivery.
A vendor admin deleting the endpoint at that moment (the API, the admin) must not get an
error, and no attempt may be left behind. Played on two connections meeting at a known
point (tests/races.py) with a real receiver.
"""

import uuid

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from prm.webhooks import services
from prm.webhooks.models import Attempt, Delivery, Endpoint
from tests.api.receivers import Receiver
from tests.races import held_then


@pytest.fixture
def endpoint_with_a_due_delivery(cast, django_db_blocker):
    with Receiver() as receiver, django_db_blocker.unblock(), schema_context("acme"):
        endpoint = services.endpoint_create(
            user=cast.vendor_admin, url=receiver.url, events=["partner.activated"]
        )
        # Written directly, not emitted: an emitted delivery is queued for the session's
        # worker, which would take it before the test does.
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event="partner.activated",
            payload={"slug": "racing"},
            next_attempt_at=timezone.now(),
        )
        yield endpoint, delivery
        Endpoint.objects.filter(pk=endpoint.pk).delete()
        connection.close()


def test_it_deletes_an_endpoint_while_the_worker_records_an_attempt(
    cast, django_db_blocker, endpoint_with_a_due_delivery
):
    endpoint, delivery = endpoint_with_a_due_delivery
    outcomes = held_then(
        django_db_blocker,
        lambda: services.delivery_attempt(delivery_id=delivery.pk),
        lambda: services.endpoint_delete(user=cast.vendor_admin, endpoint=endpoint),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
        assert not Attempt.objects.filter(delivery_id=delivery.pk).exists()
