"""E-mail rendered in the recipient's language and queued for the mail task.

Templates come in pairs: `<prefix>_subject.txt` (one line) and `<prefix>_body.txt`, so
their strings go to the owning app's catalogue like any other template.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from prm.core.mail import queue_email


def render_email(template_prefix: str, context: dict, *, language: str = "") -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_body.txt", context)
    return " ".join(subject.split()), body


def send_email(*, to: list[str], template_prefix: str, context: dict, language: str = "") -> None:
    """Queue one plain-text e-mail (sent by prm.core.tasks.deliver_email after commit;
    callers that already run in an on_commit callback queue it at once)."""
    subject, body = render_email(template_prefix, context, language=language)
    queue_email(to=to, subject=subject, body=body)
