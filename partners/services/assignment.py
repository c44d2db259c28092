"""Who looks after a partner: its channel manager and territory, and handing every partner
of one channel manager to another."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from partners.history import BULK_REASSIGNMENT
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

    # Each moved application and partner gets a history row (who, when, from whom to whom)
    # like a change made on its own page; one UPDATE and one INSERT per batch, whatever
    # the count. Only applications waiting for review move: a decided one keeps the CM
    # who had it.
    applications = PartnerApplication.objects.filter(
        channel_manager=from_manager, status=ApplicationStatus.SUBMITTED
    )
    _move_with_history(applications, PartnerApplication, to_manager=to_manager, user=user)
    partners = Partner.objects.filter(channel_manager=from_manager)
    return _move_with_history(partners, Partner, to_manager=to_manager, user=user)


def _move_with_history(rows, model, *, to_manager: User, user: User) -> int:
    rows = list(rows.select_for_update().order_by("pk"))
    for row in rows:
        row.channel_manager = to_manager
    return bulk_update_with_history(
        rows,
        model,
        ["channel_manager"],
        batch_size=1000,
        default_user=user,
        default_change_reason=BULK_REASSIGNMENT,
    )
