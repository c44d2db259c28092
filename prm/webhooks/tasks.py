"""Webhook delivery tasks: take ids, call the service (safe to run twice)."""

from celery import shared_task

from prm.webhooks import services


@shared_task
def deliver(delivery_id: int) -> str | None:
    """One attempt of one delivery, if it is still due (a duplicate finds it not due)."""
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


@shared_task
def deliver_due() -> int:
    """Queue the deliveries whose retry is due (beat, every minute, in every vendor)."""
    due = services.deliveries_due()
    for delivery_id in due:
        deliver.delay(delivery_id)
    return len(due)
