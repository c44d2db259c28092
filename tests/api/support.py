"""Helpers of the API tests: a client that sends a user's API key; a webhook delivery
followed until the worker has tried it."""

import time

from django_tenants.utils import schema_context

from prm.accounts.services import api_key_create


def key_for(user, schema: str = "acme", name: str = "test") -> str:
    with schema_context(schema):
        return api_key_create(user=user, name=name)[1]


def with_key(client, key: str):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def delivery_tried(message_id: str, timeout: float = 10):
    """The delivery of a webhook message (its `webhook-id`) once the worker has recorded
    its attempt: the receiver may see the POST before the worker writes the outcome. Call
    it inside the vendor's schema."""
    from prm.webhooks.models import Delivery, DeliveryStatus

    delivery = Delivery.objects.get(message_id=message_id)
    deadline = time.monotonic() + timeout
    while delivery.status == DeliveryStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        delivery.refresh_from_db()
    return delivery
