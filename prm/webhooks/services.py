"""Registering endpoints, emitting events and delivering them.

Apps call `emit(event, payload)` from their services, inside their transaction: one
delivery row per subscribed endpoint is written with the change, and the first attempt is
queued when the transaction commits, so a rolled-back change never sends anything.
Failed attempts are retried with growing pauses for a little over a day (`RETRY_DELAYS`).
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.accounts.access import require_vendor_admin
from prm.core.sql import hold_rows
from prm.webhooks import signing, transport
from prm.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event
from prm.webhooks.targets import check_target, resolve_target

#: Pause before each retry after a failed attempt (seconds): about 26 hours in all.
RETRY_DELAYS = (5, 60, 5 * 60, 30 * 60, 2 * 60 * 60, 5 * 60 * 60, 8 * 60 * 60, 10 * 60 * 60)
#: How long a sending worker holds a delivery before another may try it (seconds).
SENDING_LEASE = 120
TIMEOUT_SECONDS = 10
RESPONSE_KEPT = 2000


@transaction.atomic
def endpoint_create(*, user, url: str, events: list[str], description: str = "") -> Endpoint:
    """Register an endpoint (vendor admins); its `secret` is returned once to the caller."""
    require_vendor_admin(user)
    unknown = sorted(set(events) - set(Event.values))
    if not events or unknown:
        raise ValidationError(
            _("Choose events from: %(events)s.") % {"events": ", ".join(Event.values)},
            code="events",
        )
    check_target(url)
    return Endpoint.objects.create(
        url=url,
        events=sorted(set(events)),
        description=description,
        secret=signing.new_secret(),
        created_by=user,
    )


@transaction.atomic
def endpoint_deactivate(*, user, endpoint_id: int) -> Endpoint:
    require_vendor_admin(user)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    return endpoint


#: How long deliveries stay signed with the old secret too after a rotation.
ROTATION_OVERLAP = timedelta(hours=24)


@transaction.atomic
def endpoint_delete(*, user, endpoint: Endpoint) -> None:
    """Remove an endpoint with its deliveries: nothing more is sent to it.

    A worker in the middle of an attempt finds the endpoint gone when it records the
    attempt (see `delivery_attempt`), so no retry is scheduled after the delete; one
    recording its attempt at this moment is waited for (the endpoint is locked before its
    deliveries and attempts are collected), and its attempt goes too.
    """
    require_vendor_admin(user)
    Endpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def endpoint_rotate_secret(*, user, endpoint: Endpoint) -> Endpoint:
    """A new signing secret (returned once); the old one also signs for `ROTATION_OVERLAP`."""
    require_vendor_admin(user)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


def emit(event: str, payload: dict | Callable[[], dict]) -> list[Delivery]:
    """Record `event` for every active endpoint subscribed to it; send after commit.

    `payload` may be a function: it is only called when someone subscribed, so emitting
    costs one query when no one listens.
    """
    assert event in Event.values, event
    endpoints = list(Endpoint.objects.filter(is_active=True, events__contains=[event]))
    if not endpoints:
        return []
    now = timezone.now()
    data = payload() if callable(payload) else payload
    body = {"type": event, "timestamp": now.isoformat(), "data": data}
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event=event,
            payload=body,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    from prm.webhooks.tasks import deliver

    for delivery in deliveries:
        deliver.delay_on_commit(delivery.pk)
    return deliveries


def _claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for one attempt, or None when it is not due (or already done)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if not delivery.endpoint.is_active:
            return None  # switched off in the admin: kept pending until switched on
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        delivery.next_attempt_at = now + timedelta(seconds=SENDING_LEASE)
        delivery.attempt_count += 1
        delivery.save(update_fields=["next_attempt_at", "attempt_count"])
        return delivery


def _post(delivery: Delivery) -> Attempt:
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    attempt = Attempt(delivery=delivery, at=timezone.now())
    secrets = delivery.endpoint.signing_secrets(attempt.at)
    headers = signing.headers(secrets, delivery.message_id, timestamp, body)
    headers |= {"content-type": "application/json", "user-agent": "PRM-Webhooks/1"}
    started = time.monotonic()
    try:
        # Resolved and checked here, once: the POST connects to exactly these addresses.
        target = resolve_target(delivery.endpoint.url)
        answer = transport.post(target, body, headers, timeout=TIMEOUT_SECONDS, keep=RESPONSE_KEPT)
        attempt.status_code = answer.status
        attempt.response_body = answer.body.decode(errors="replace")
        if 300 <= answer.status < 400:
            # A redirect is an answer, not an instruction: it could point anywhere.
            attempt.error = _("Redirects are not followed (to %(location)s).") % {
                "location": answer.location[:500] or "?"
            }
    except ValidationError as error:
        attempt.error = " ".join(error.messages)
    except (OSError, ValueError, http.client.HTTPException) as error:
        attempt.error = str(error)[:RESPONSE_KEPT] or type(error).__name__
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    return attempt


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """Send one attempt if it is due; log it; schedule the next one or give up.

    The POST happens outside any transaction (a slow receiver must not hold row locks);
    the claim's lease keeps a second worker from sending the same delivery meanwhile.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    attempt = _post(delivery)
    with transaction.atomic():
        # The endpoint is held first, as deletions lock it first (prm.core.deletion): a
        # deletion under way is waited for, one that comes later waits for this attempt's
        # row and deletes it too.
        if not hold_rows(Endpoint, [delivery.endpoint_id]):
            return None  # its endpoint was deleted while the POST was under way
        if not Delivery.objects.select_for_update().filter(pk=delivery.pk).exists():
            return None
        attempt.save()
        ok = attempt.status_code is not None and 200 <= attempt.status_code < 300
        if ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, attempt.at
            delivery.next_attempt_at = None
        elif delivery.attempt_count > len(RETRY_DELAYS):
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            pause = RETRY_DELAYS[delivery.attempt_count - 1]
            delivery.next_attempt_at = attempt.at + timedelta(seconds=pause)
        delivery.save(update_fields=["status", "delivered_at", "next_attempt_at"])
    return delivery


def deliveries_due(*, now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


@transaction.atomic
def delivery_send_again(*, user, delivery_id: int) -> Delivery:
    """Queue one more attempt now (vendor admins), whatever the delivery's state."""
    require_vendor_admin(user)
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    from prm.webhooks.tasks import deliver

    deliver.delay_on_commit(delivery.pk)
    return delivery
