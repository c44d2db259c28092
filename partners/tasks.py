"""Background work of the partners app: take ids, call a service, run once."""

from celery import shared_task

from partners.services import agreement_notify_admins
from prm.core.idempotency import idempotent


@shared_task
@idempotent(key=lambda version_id: f"partners:agreement-published:{version_id}")
def email_agreement_published(version_id: int) -> int:
    return agreement_notify_admins(version_id=version_id)
