"""Which webhook endpoints and deliveries a user sees: vendor admins all, anyone else none."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from prm.webhooks.models import Attempt, Delivery, Endpoint

RECENT_DELIVERIES = 25


def endpoints_for(user) -> QuerySet[Endpoint]:
    return Endpoint.objects.all() if user.is_vendor_admin else Endpoint.objects.none()


def get_endpoint_for(user, pk: int) -> Endpoint:
    """The endpoint, or 404 (also for a user who may not see endpoints)."""
    return get_object_or_404(endpoints_for(user), pk=pk)


def get_delivery_for(user, pk: int) -> Delivery:
    deliveries = Delivery.objects.filter(endpoint__in=endpoints_for(user))
    return get_object_or_404(deliveries.select_related("endpoint"), pk=pk)


def recent_deliveries(endpoint: Endpoint, *, limit: int = RECENT_DELIVERIES) -> list[Delivery]:
    """The endpoint's last deliveries, newest first, each with `latest_attempt` (or None).

    Two queries: the deliveries, then the latest attempt of each.
    """
    deliveries = list(endpoint.deliveries.order_by("-created_at", "-pk")[:limit])
    latest = {
        attempt.delivery_id: attempt
        for attempt in Attempt.objects.filter(delivery__in=deliveries)
        .order_by("delivery_id", "-at", "-pk")
        .distinct("delivery_id")
    }
    for delivery in deliveries:
        delivery.latest_attempt = latest.get(delivery.pk)
    return deliveries
