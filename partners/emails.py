"""E-mail through Django's e-mail framework, rendered in the recipient's language.

Templates come in pairs: `<prefix>_subject.txt` (one line) and `<prefix>_body.txt`, so
their strings go to the owning app's catalogue like any other template.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def render_email(template_prefix: str, context: dict, *, language: str = "") -> tuple[str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template_prefix}_subject.txt", context)
        body = render_to_string(f"{template_prefix}_body.txt", context)
    return " ".join(subject.split()), body


def send_email(*, to: list[str], template_prefix: str, context: dict, language: str = "") -> None:
    """Send one plain-text e-mail now (callers queue it with transaction.on_commit)."""
    subject, body = render_email(template_prefix, context, language=language)
    EmailMessage(subject=subject, body=body, to=to).send()
