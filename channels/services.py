"""Writes for the workspace: territories and announcements."""

import functools
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.models import Announcement, AnnouncementRecipient, Territory
from partners.models import PartnerStatus, Tier
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
    by: User,
    name: str,
    countries: list[str],
    channel_manager: User | None = None,
    territory: Territory | None = None,
) -> Territory:
    """Create or change a territory (vendor admins configure the programme)."""
    if not by.is_vendor_admin:
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
    *, by: User, title: str, body: str, tiers: list[Tier], territories: list[Territory]
) -> Announcement:
    """Publish news to the partners in the author's scope that match the chosen tiers and
    territories (none chosen: all of them), and e-mail their users after the commit.

    Terminated partners and those still applying are left out.
    """
    if not by.is_vendor_staff:
        raise PermissionDenied
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give the announcement a title and a message."))
    partners = partners_visible_to(by).exclude(
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
        title=title.strip(), body=body.strip(), author=by, published_at=timezone.now()
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
    """E-mail the announcement to every active user of each partner it reached, once per
    partner: each recipient row is marked in the same transaction that queues its
    e-mails (sent on commit), so a redelivered task finds nothing left to send."""
    from partners.emails import send_email

    announcement = Announcement.objects.filter(pk=announcement_id).first()
    if announcement is None:
        return 0
    sent = 0
    pending = AnnouncementRecipient.objects.filter(
        announcement=announcement, emailed_at__isnull=True
    ).values_list("pk", flat=True)
    for recipient_id in list(pending):
        with transaction.atomic():
            recipient = (
                AnnouncementRecipient.objects.select_for_update(skip_locked=True)
                .select_related("partner")
                .filter(pk=recipient_id, emailed_at__isnull=True)
                .first()
            )
            if recipient is None:
                continue
            recipient.emailed_at = timezone.now()
            recipient.save(update_fields=["emailed_at"])
            for user in User.objects.filter(membership__partner=recipient.partner, is_active=True):
                context = {
                    "announcement": announcement,
                    "partner_name": recipient.partner.name,
                    "user": user,
                }
                transaction.on_commit(
                    functools.partial(
                        send_email,
                        to=[user.email],
                        template_prefix="channels/email/announcement",
                        context=context,
                        language=user.language,
                    )
                )
                sent += 1
    return sent
