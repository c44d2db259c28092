"""Scheduled and queued deal work. Each task takes ids (or nothing), calls a service, and is
safe to run twice: the services re-check the state under a row lock.

Beat runs the three sweeps once per active vendor schema (settings.CELERY_BEAT_SCHEDULE).
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from deals import notifications, services
from deals.models import Deal, DealStatus, Notification
from prm.core.idempotency import idempotent
from prm.core.mail import Mark, queue_email
from prm.tenancy.selectors import current_vendor


@shared_task
def expire_due_deals() -> int:
    """Expire approved registrations whose protection has ended; returns how many."""
    today = timezone.localdate()
    due = Deal.objects.filter(status=DealStatus.APPROVED, protected_until__lt=today)
    return sum(
        services.deal_expire(deal_id=pk, today=today) for pk in due.values_list("pk", flat=True)
    )


@shared_task
def send_expiry_reminders() -> int:
    """Remind reps 14 and 3 days before their protection ends; returns reminders sent."""
    today = timezone.localdate()
    horizon = today + timedelta(days=max(services.EXPIRY_REMINDER_DAYS))
    due = Deal.objects.filter(
        status=DealStatus.APPROVED, protected_until__gte=today, protected_until__lte=horizon
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        if services.deal_send_expiry_reminder(deal_id=pk, today=today) is not None:
            sent += 1
    return sent


@shared_task
def remind_overdue_reviews() -> int:
    """Remind CMs of submitted registrations past the vendor's review target."""
    # Business days never outnumber calendar days: older than the target in calendar days
    # is a cheap first cut; the service counts business days exactly.
    target = current_vendor().review_target_days
    waiting = Deal.objects.filter(
        status=DealStatus.SUBMITTED, submitted_at__lt=timezone.now() - timedelta(days=target)
    ).values_list("pk", flat=True)
    return sum(services.deal_remind_overdue_review(deal_id=pk) for pk in waiting)


@shared_task
@idempotent(key=lambda notification_id: f"notification-email:{notification_id}")
def send_notification_email(notification_id: int) -> bool:
    """Queue one notification's e-mail in its recipient's language, once; the mail task
    marks it e-mailed when the server has taken it."""
    notification = (
        Notification.objects.select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:  # already sent, or its transaction was rolled back
        return False
    subject, body = notifications.email_text(notification)
    queue_email(
        to=[notification.recipient.email],
        subject=subject,
        body=body,
        mark=Mark(model="deals.Notification", pk=notification.pk, field="emailed_at"),
    )
    return True
