"""Who is told what about a deal, in the app and by e-mail, in their own language.

Services call these inside their transaction; the in-app rows are written there and the
e-mails are queued with ``delay_on_commit`` (so a rolled-back decision sends nothing). Texts
are rendered when read or sent, in the reader's language. What partner users read never
names another partner: a conflict is "needs review", nothing more.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from deals.models import Deal, Notification
from prm.accounts.models import Role, User
from prm.core.money import Money

Kind = Notification.Kind

#: Kind -> (subject, body). ``%(name)s`` parameters come from :func:`_params`.
MESSAGES = {
    Kind.SUBMITTED: (
        _("New deal registration to review: %(customer)s"),
        _("%(partner)s registered %(customer)s (%(value)s). It waits for your review."),
    ),
    Kind.APPROVED: (
        _("Registration approved: %(customer)s"),
        _("Your registration of %(customer)s is approved and protected until %(until)s."),
    ),
    Kind.REJECTED: (
        _("Registration rejected: %(customer)s"),
        _("Your registration of %(customer)s was rejected: %(comment)s"),
    ),
    Kind.MORE_INFORMATION: (
        _("More information needed: %(customer)s"),
        _(
            "The channel manager needs more information about %(customer)s: %(comment)s "
            "Edit the registration and submit it again."
        ),
    ),
    Kind.EXPIRY_REMINDER: (
        _("Protection ends soon: %(customer)s"),
        _(
            "Your registration of %(customer)s is protected until %(until)s. Close it as won "
            "or lost, or request an extension."
        ),
    ),
    Kind.EXPIRED: (
        _("Registration expired: %(customer)s"),
        _("The protection of your registration of %(customer)s ended on %(until)s."),
    ),
    Kind.REVIEW_OVERDUE: (
        _("Review overdue: %(customer)s"),
        _("%(partner)s's registration of %(customer)s waits past the review target."),
    ),
    Kind.EXTENSION_REQUESTED: (
        _("Extension requested: %(customer)s"),
        _("%(partner)s asks to extend the protection of %(customer)s: %(comment)s"),
    ),
    Kind.EXTENSION_GRANTED: (
        _("Extension granted: %(customer)s"),
        _("Your registration of %(customer)s is now protected until %(until)s."),
    ),
    Kind.EXTENSION_DENIED: (
        _("Extension denied: %(customer)s"),
        _("The extension of %(customer)s was denied; protection ends on %(until)s."),
    ),
}


def render(notification: Notification) -> tuple[str, str]:
    """(subject, body) in the active language, dates in its short format."""
    subject, body = MESSAGES[notification.kind]
    params = dict(notification.params)
    # Stored as an ISO date so that each reader gets their own language's format.
    if params.get("until"):
        try:
            params["until"] = date_format(date.fromisoformat(params["until"]), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            pass  # an older free-text value: shown as stored
    return str(subject) % params, str(body) % params


def _params(deal: Deal) -> dict:
    return {
        "customer": deal.customer_name,
        "partner": deal.partner.name,
        "value": str(Money(deal.expected_value, deal.currency)),
        "until": deal.protected_until.isoformat() if deal.protected_until else "",
        "comment": deal.decision_comment or deal.extension_reason,
    }


def _partner_side(deal: Deal) -> list[User]:
    """The registering rep, or the partner's admins if the rep has left."""
    if deal.registered_by.is_active:
        return [deal.registered_by]
    return list(
        User.objects.filter(
            is_active=True, role=Role.PARTNER_ADMIN, membership__partner_id=deal.partner_id
        )
    )


def _vendor_side(deal: Deal) -> list[User]:
    """The partner's channel manager, or every vendor admin if it has none."""
    manager = deal.partner.channel_manager
    if manager is not None and manager.is_active:
        return [manager]
    return list(User.objects.filter(is_active=True, role=Role.VENDOR_ADMIN))


def _notify(deal: Deal, recipients: list[User], kind: str, **extra) -> None:
    from deals.tasks import send_notification_email

    params = {**_params(deal), **extra}
    for recipient in recipients:
        notification = Notification.objects.create(
            recipient=recipient, deal=deal, kind=kind, params=params
        )
        send_notification_email.delay_on_commit(notification.pk)


def deal_submitted(deal: Deal) -> None:
    _notify(deal, _vendor_side(deal), Kind.SUBMITTED)


def deal_decided(deal: Deal) -> None:
    kind = Kind.APPROVED if deal.status == "approved" else Kind.REJECTED
    _notify(deal, _partner_side(deal), kind)


def deal_needs_information(deal: Deal) -> None:
    _notify(deal, _partner_side(deal), Kind.MORE_INFORMATION)


def expiry_reminder(deal: Deal, *, days_left: int) -> None:
    _notify(deal, _partner_side(deal), Kind.EXPIRY_REMINDER, days=days_left)


def deal_expired(deal: Deal) -> None:
    _notify(deal, _partner_side(deal), Kind.EXPIRED)


def review_overdue(deal: Deal, *, business_days: int) -> None:
    _notify(deal, _vendor_side(deal), Kind.REVIEW_OVERDUE, days=business_days)


def extension_requested(deal: Deal) -> None:
    _notify(deal, _vendor_side(deal), Kind.EXTENSION_REQUESTED)


def extension_decided(deal: Deal, *, granted: bool) -> None:
    kind = Kind.EXTENSION_GRANTED if granted else Kind.EXTENSION_DENIED
    _notify(deal, _partner_side(deal), kind)


def email_text(notification: Notification) -> tuple[str, str]:
    """Subject and body in the recipient's language (their choice, else the default),
    ending with the address of the deal's page on the vendor's host."""
    from django.db import connection
    from django.urls import reverse

    from prm.tenancy.services import vendor_url

    language = notification.recipient.language or settings.LANGUAGE_CODE
    url = vendor_url(connection.tenant, reverse("deals:detail", args=[notification.deal_id]))
    with translation.override(language):
        subject, body = render(notification)
        link = _("Open the registration: %(url)s") % {"url": url}
        return subject, f"{body}\n\n{link}\n"
