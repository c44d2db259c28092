"""Writes for the workspace: territories and announcements."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Announcement, AnnouncementRecipient
from partners.models import PartnerStatus, Territory, Tier
from partners.selectors import partners_visible_to
from prm.accounts.models import User

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def parse_countries(text: str) -> list[str]:
    codes = sorted({code.upper() for code in re.split(r"[\s,;]+", text) if code})
    wrong = [code for code in codes if not _COUNTRY.match(code)]
    if wrong:
        raise ValidationError(
            _("These are not two-letter country codes: %(codes)s.") % {"codes": ", ".join(wrong)}
        )
    return codes


@transaction.atomic
def territory_save(
    *,
    user: User,
    name: str,
    countries: list[str],
    channel_manager: User | None = None,
    territory: Territory | None = None,
) -> Territory:
    """Create or change a territory (vendor admins configure the programme)."""
    if not user.is_vendor_admin:
        raise PermissionDenied
    if channel_manager is not None and not channel_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    territory = territory or Territory()
    territory.name = name.strip()
    territory.countries = countries
    territory.channel_manager = channel_manager
    territory.save()
    return territory


@transaction.atomic
def announcement_publish(
    *, user: User, title: str, body: str, tiers: list[Tier], territories: list[Territory]
) -> Announcement:
    """Publish news to the partners in the author's scope that match the chosen tiers and
    territories (none chosen: all of them), and e-mail their users after the commit.

    Terminated partners and those still applying are left out.
    """
    if not user.is_vendor_staff:
        raise PermissionDenied
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give the announcement a title and a message."))
    partners = partners_visible_to(user).exclude(
        status__in=[PartnerStatus.TERMINATED, PartnerStatus.APPLIED]
    )
    if tiers:
        partners = partners.filter(tier__in=tiers)
    if territories:
        partners = partners.filter(
            Q(territory__in=territories)
            | Q(territory__isnull=True, country__in=_countries_of(territories))
        )
    announcement = Announcement.objects.create(
        title=title.strip(), body=body.strip(), author=user, published_at=timezone.now()
    )
    announcement.tiers.set(tiers)
    announcement.territories.set(territories)
    AnnouncementRecipient.objects.bulk_create(
        AnnouncementRecipient(announcement=announcement, partner=partner)
        for partner in partners.distinct()
    )
    from channels.tasks import email_announcement

    email_announcement.delay_on_commit(announcement.pk)
    return announcement


def _countries_of(territories: list[Territory]) -> list[str]:
    return sorted({code for territory in territories for code in territory.countries})


def announcement_email_partners(*, announcement_id: int) -> int:
    """Queue the announcement's e-mail to every active user of each partner it reached,
    once per partner: a claim committed with the queueing stops a redelivered task from
    queueing it twice, and the partner's row is marked sent by the mail task only after
    the mail server took every message."""
    from django.db import connection
    from django.urls import reverse

    from partners.emails import render_email
    from prm.core.idempotency import claim_once
    from prm.core.mail import Mark, Message, queue_emails
    from prm.tenancy.services import vendor_url

    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    url = vendor_url(connection.tenant, reverse("portal:home"))
    sent = 0
    pending = AnnouncementRecipient.objects.filter(
        announcement=announcement, emailed_at__isnull=True
    ).select_related("partner")
    for recipient in list(pending):
        with transaction.atomic():
            if not claim_once(f"announcement-email:{recipient.pk}"):
                continue
            messages = []
            for user in User.objects.filter(membership__partner=recipient.partner, is_active=True):
                context = {
                    "announcement": announcement,
                    "partner_name": recipient.partner.name,
                    "user": user,
                    "url": url,
                }
                subject, body = render_email(
                    "channels/email/announcement", context, language=user.language
                )
                messages.append(Message(to=[user.email], subject=subject, body=body))
            if not messages:  # a partner without active users: nothing to wait for
                AnnouncementRecipient.objects.filter(pk=recipient.pk).update(
                    emailed_at=timezone.now()
                )
                continue
            queue_emails(
                messages,
                mark=Mark(
                    model="channels.AnnouncementRecipient", pk=recipient.pk, field="emailed_at"
                ),
            )
            sent += len(messages)
    return sent
