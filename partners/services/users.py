"""A partner admin manages their own partner's users: active or not, admin or rep."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import Membership, Partner
from partners.rules import Action, require_partner_may
from prm.accounts.models import PARTNER_ROLES, Role, User


def _active_admins(partner: Partner):
    return User.objects.filter(membership__partner=partner, role=Role.PARTNER_ADMIN, is_active=True)


def _check_own_member(user: User, member: User) -> Membership:
    if not user.is_partner_admin:
        raise PermissionDenied
    membership = Membership.objects.filter(user=member, partner=user.partner).first()
    if membership is None:
        raise PermissionDenied
    return membership


@transaction.atomic
def partner_user_set_active(*, user: User, member: User, active: bool) -> User:
    """A partner admin deactivates (or reactivates) one of their own partner's users."""
    _check_own_member(user, member)
    require_partner_may(user.partner, Action.MANAGE_USERS)
    if member.pk == user.pk and not active:
        raise ValidationError(
            _("You cannot deactivate yourself. Ask another partner admin to do it.")
        )
    member.is_active = active
    member.save(update_fields=["is_active"])
    return member


@transaction.atomic
def partner_user_set_role(*, user: User, member: User, role: str) -> User:
    """A partner admin makes one of their users an admin or a rep; one admin must stay."""
    membership = _check_own_member(user, member)
    require_partner_may(user.partner, Action.MANAGE_USERS)
    if role not in PARTNER_ROLES:
        raise ValidationError(_("Choose partner admin or sales rep."))
    Partner.objects.select_for_update().get(pk=membership.partner_id)
    if (
        member.role == Role.PARTNER_ADMIN
        and role != Role.PARTNER_ADMIN
        and not _active_admins(membership.partner).exclude(pk=member.pk).exists()
    ):
        raise ValidationError(
            _("A partner needs at least one active admin. Make someone else admin first.")
        )
    member.role = role
    member.save(update_fields=["role"])
    return member
