"""Housekeeping of the API's stored answers."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from prm.api.models import IdempotentRequest

#: How long an Idempotency-Key is remembered (docs/api.md).
IDEMPOTENCY_KEPT = timedelta(hours=24)


@shared_task
def forget_old_idempotency_keys() -> int:
    """Delete stored answers older than a day (beat, hourly, in every vendor)."""
    deleted, _ = IdempotentRequest.objects.filter(
        created_at__lt=timezone.now() - IDEMPOTENCY_KEPT
    ).delete()
    return deleted
