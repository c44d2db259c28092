"""Who looks after a partner: its channel manager and territory, and handing every partner
of one channel manager to another."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import ApplicationStatus, Partner, PartnerApplication
from partners.services._shared import locked_partner
from prm.accounts.access import require_vendor_admin
from prm.accounts.models import User


@transaction.atomic
def partner_assign(
    *, partner: Partner, channel_manager: User | None, territory=None, user: User
) -> Partner:
    """A vendor admin sets who looks after a partner and which territory it is in."""
    require_vendor_admin(user)
    if channel_manager is not None and not channel_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    partner = locked_partner(partner)
    partner.channel_manager = channel_manager
    partner.territory = territory
    partner.save(update_fields=["channel_manager", "territory"])
    return partner


@transaction.atomic
def partners_reassign(*, from_manager: User, to_manager: User, user: User) -> int:
    """Hand every partner of one CM to another (someone leaves or changes region)."""
    require_vendor_admin(user)
    if not to_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    if from_manager.pk == to_manager.pk:
        raise ValidationError(_("Choose two different channel managers."))

    PartnerApplication.objects.filter(
        channel_manager=from_manager, status=ApplicationStatus.SUBMITTED
    ).update(channel_manager=to_manager)
    return Partner.objects.filter(channel_manager=from_manager).update(channel_manager=to_manager)
