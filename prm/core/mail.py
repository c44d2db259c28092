"""Every e-mail leaves through one Celery task, never inside a request.

`queue_email()` hands rendered messages to `prm.core.tasks.deliver_email` once the
caller's transaction commits. The task sends them over the configured connection
(`EMAIL_URL`) and retries with growing pauses while the server is unreachable, so a mail
server outage delays mail instead of failing the page that caused it. `mark` names a row
field set to the sending time only after the server accepted every message of the batch
(announcements and notifications record what was really sent). A retry sends the whole
batch again: at least once, never silently lost.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.apps import apps
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone


@dataclass(frozen=True)
class Mark:
    """After sending: set `field` of `model` row `pk` (only while it is still empty)."""

    model: str  # "app_label.ModelName"
    pk: int
    field: str


@dataclass(frozen=True)
class Message:
    to: list[str]
    subject: str
    body: str


def queue_email(*, to: list[str], subject: str, body: str, mark: Mark | None = None) -> None:
    """Send one plain-text message after the current transaction commits (now if none)."""
    queue_emails([Message(to=list(to), subject=subject, body=body)], mark=mark)


def queue_emails(messages: list[Message], *, mark: Mark | None = None) -> None:
    """Send several messages in one task (one connection, one mark)."""
    from prm.core.tasks import deliver_email

    if not messages:
        return
    deliver_email.delay_on_commit(
        messages=[asdict(message) for message in messages],
        mark=asdict(mark) if mark else None,
    )


def deliver(*, messages: list[dict], mark: dict | None = None) -> int:
    """Send now (the task's body); errors from the mail server propagate for a retry."""
    with get_connection() as connection:
        for message in messages:
            EmailMessage(
                subject=message["subject"],
                body=message["body"],
                to=message["to"],
                connection=connection,
            ).send()
    if mark:
        model = apps.get_model(mark["model"])
        model.objects.filter(pk=mark["pk"], **{f"{mark['field']}__isnull": True}).update(
            **{mark["field"]: timezone.now()}
        )
    return len(messages)
