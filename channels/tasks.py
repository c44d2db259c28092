"""Background work for the workspace: take ids, call a service, safe to retry."""

from celery import shared_task

from channels.services import announcement_email_partners


@shared_task
def email_announcement(announcement_id: int) -> int:
    return announcement_email_partners(announcement_id=announcement_id)
