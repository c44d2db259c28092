"""A partner's lifecycle and profile: status changes (with history), profile edits, direct
creation by a vendor admin."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partners.models import Invitation, Partner, PartnerStatus, PartnerStatusChange, PartnerType
from partners.services._shared import locked_partner, require_in_scope
from prm import webhooks
from prm.accounts.access import require_vendor_admin
from prm.accounts.models import User

#: Where a status may go from each status (terminated is final).
TRANSITIONS: dict[str, frozenset[str]] = {
    PartnerStatus.APPLIED: frozenset({PartnerStatus.ONBOARDING, PartnerStatus.TERMINATED}),
    PartnerStatus.ONBOARDING: frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED}),
    PartnerStatus.ACTIVE: frozenset({PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED}),
    PartnerStatus.SUSPENDED: frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED}),
    PartnerStatus.TERMINATED: frozenset(),
}


@transaction.atomic
def partner_change_status(
    *, partner: Partner, to_status: str, user: User | None, reason: str = ""
) -> Partner:
    """Move a partner along its lifecycle and record who did it, when and why.

    Activating needs the current programme agreement accepted (the partner admin's
    acceptance does this by itself); suspending and terminating need a reason.
    Terminating is final: the partner's users are deactivated and open invitations
    withdrawn.
    """
    from partners.selectors import accepted_current_agreement

    own_admin_activating = (
        user is not None
        and user.is_partner_admin
        and user.partner.pk == partner.pk
        and to_status == PartnerStatus.ACTIVE  # by accepting the agreement
    )
    if user is not None and not own_admin_activating:
        require_in_scope(user, partner)  # partner users have no scope beyond their own partner
        if not user.is_vendor_staff:
            raise PermissionDenied
    partner = locked_partner(partner)
    if to_status not in TRANSITIONS.get(partner.status, ()):
        raise ValidationError(
            _("A partner that is %(from)s cannot become %(to)s.")
            % {"from": PartnerStatus(partner.status).label, "to": PartnerStatus(to_status).label}
        )
    if to_status == PartnerStatus.ACTIVE and not accepted_current_agreement(partner):
        raise ValidationError(
            _("The partner admin must accept the current programme agreement first.")
        )
    if to_status in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED) and not reason.strip():
        raise ValidationError(_("Say why, so the partner and your colleagues know."))
    PartnerStatusChange.objects.create(
        partner=partner,
        from_status=partner.status,
        to_status=to_status,
        changed_by=user,
        reason=reason.strip(),
    )
    partner.status = to_status
    partner.save(update_fields=["status"])
    if to_status == PartnerStatus.ACTIVE:
        webhooks.emit(
            "partner.activated", {"id": partner.pk, "slug": partner.slug, "name": partner.name}
        )
    if to_status == PartnerStatus.TERMINATED:
        # The relationship has ended: its people can no longer log in or join.
        User.objects.filter(membership__partner=partner).update(is_active=False)
        Invitation.objects.filter(
            partner=partner, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    return partner


PROFILE_FIELDS = (
    "name",
    "legal_name",
    "website",
    "email_domains",
    "partner_type",
    "country",
    "currency",
)


@transaction.atomic
def partner_update_profile(*, partner: Partner, user: User, **fields) -> Partner:
    """Vendor staff correct a partner's profile; only PROFILE_FIELDS can change here."""
    if not user.is_vendor_staff:
        raise PermissionDenied
    require_in_scope(user, partner)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    partner = locked_partner(partner)
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.save(update_fields=list(fields))
    return partner


@transaction.atomic
def partner_create(
    *,
    user: User,
    name: str,
    slug: str,
    country: str = "",
    partner_type: str = PartnerType.RESELLER,
    currency: str = "USD",
    channel_manager: User | None = None,
) -> Partner:
    """A vendor admin adds a partner directly; it starts onboarding (agreement not yet
    accepted), like one that came through an approved application."""
    require_vendor_admin(user)
    slug = slugify(slug)
    if not slug or Partner.objects.filter(slug=slug).exists():
        raise ValidationError(_("Choose a slug that no other partner uses."), code="slug")
    if partner_type not in PartnerType.values:
        raise ValidationError(_("Choose a partner type."), code="partner_type")
    if channel_manager is not None and not channel_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    return Partner.objects.create(
        name=name.strip(),
        slug=slug,
        country=country.upper(),
        partner_type=partner_type,
        currency=currency.upper(),
        channel_manager=channel_manager,
        status=PartnerStatus.ONBOARDING,
    )
