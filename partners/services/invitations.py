"""Invitations to join a partner: create (e-mailed single-use link), revoke, check, accept."""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.emails import send_email
from partners.invitations import invitation_url, token_matches
from partners.models import Invitation, Membership, Partner, PartnerStatus
from partners.rules import Action, require_partner_may
from partners.services._shared import current_vendor_name, require_in_scope
from prm.accounts.models import PARTNER_ROLES, Role, User

INVITATION_DAYS = 7


def _may_know_of(user: User | None, existing: User, partner: Partner) -> bool:
    """Whether the inviter may learn that `existing` has an account: vendor admins know
    every user; others only their own partner's people."""
    if user is None or user.is_vendor_admin:
        return True
    return Membership.objects.filter(user=existing, partner=partner).exists()


@transaction.atomic
def invitation_create(
    *,
    partner: Partner,
    email: str,
    role: str,
    user: User | None,
    full_name: str = "",
    language: str = "",
) -> Invitation:
    """Invite someone to `partner` and e-mail them a single-use link.

    Partner admins may only invite to their own partner (the caller passes
    `user.partner`; this checks it again). Re-inviting an address replaces its open link.
    """
    email = email.strip().lower()
    if role not in PARTNER_ROLES:
        raise ValidationError(_("Choose partner admin or sales rep."))
    if (
        user is not None
        and user.is_partner_user
        and (not user.is_partner_admin or user.partner.pk != partner.pk)
    ):
        raise PermissionDenied
    if user is not None and user.is_partner_user:
        require_partner_may(partner, Action.MANAGE_USERS)
    if user is not None and user.is_vendor_staff and not user.is_vendor_admin:
        require_in_scope(user, partner)  # a CM invites to their own partners only
    if partner.status == PartnerStatus.TERMINATED:
        raise ValidationError(_("This partnership has ended; nobody can be invited to it."))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and _may_know_of(user, existing, partner):
        raise ValidationError(
            _("%(email)s already has an account on this site.") % {"email": email}
        )
    now = timezone.now()
    # Re-inviting replaces this partner's open link only: another partner's invitation
    # to the same address is theirs to withdraw.
    Invitation.objects.filter(
        partner=partner, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        partner=partner,
        email=email,
        full_name=full_name.strip(),
        role=role,
        nonce=secrets.token_hex(16),
        invited_by=user,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    context = {
        "invitation": invitation,
        "partner_name": partner.name,
        "vendor_name": current_vendor_name(),
        "inviter": str(user) if user else "",
        "role": Role(role).label,
        "url": invitation_url(invitation),
        "days": INVITATION_DAYS,
    }
    if existing is not None:
        # Someone else's account: the inviter sees an invitation like any other (their
        # page must not tell whether the address has an account elsewhere), but no
        # e-mail goes out and the link cannot be accepted (the account exists).
        return invitation
    transaction.on_commit(
        lambda: send_email(
            to=[email],
            template_prefix="partners/email/invitation",
            context=context,
            language=language,
        )
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: User) -> Invitation:
    if not user.is_vendor_staff and not (
        user.is_partner_admin and user.partner.pk == invitation.partner_id
    ):
        raise PermissionDenied
    if user.is_partner_user:
        require_partner_may(user.partner, Action.MANAGE_USERS)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


class InvitationInvalid(Exception):
    """The link is wrong, used, revoked or expired."""


def invitation_check(*, invitation: Invitation | None, token: str) -> Invitation:
    if invitation is None or not token_matches(invitation, token) or not invitation.is_open:
        raise InvitationInvalid
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    token: str,
    password: str,
    full_name: str = "",
    language: str = "",
) -> User:
    """Create the invited user with their chosen password; the link is then spent."""
    from partners.memberships import partner_user_create

    invitation = invitation_check(
        invitation=Invitation.objects.select_for_update().filter(pk=invitation.pk).first(),
        token=token,
    )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationInvalid
    validate_password(password, User(email=invitation.email, full_name=full_name))
    user = partner_user_create(
        partner=invitation.partner,
        email=invitation.email,
        password=password,
        role=invitation.role,
        full_name=full_name.strip() or invitation.full_name,
        language=language,
    )
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user
