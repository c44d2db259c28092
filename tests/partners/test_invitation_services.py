"""Invitations (single use, expiring) and partner admins managing their own users."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partners import services
from partners.invitations import invitation_token
from partners.models import Invitation
from prm.accounts.models import Role, User

GOOD_PASSWORD = "a-long-unusual-passphrase-42"


def invite(cast, email="newrep@ardent.example", role=Role.PARTNER_REP):
    return services.invitation_create(
        partner=cast.partner_a, email=email, role=role, user=cast.partner_a_admin
    )


def test_it_emails_an_invitation_link(cast, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(cast)
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert mail.outbox[0].to == ["newrep@ardent.example"]
    assert invitation_token(invitation) in mail.outbox[0].body


def test_it_creates_the_user_in_the_inviting_partner_on_acceptance(cast, acme):
    invitation = invite(cast)
    user = services.invitation_accept(
        invitation=invitation,
        token=invitation_token(invitation),
        password=GOOD_PASSWORD,
        full_name="Nina Newrep",
    )
    assert user.partner == cast.partner_a and user.role == Role.PARTNER_REP
    assert user.check_password(GOOD_PASSWORD) and user.full_name == "Nina Newrep"
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.user == user


def test_it_accepts_an_invitation_only_once(cast, acme):
    invitation = invite(cast)
    token = invitation_token(invitation)
    services.invitation_accept(invitation=invitation, token=token, password=GOOD_PASSWORD)
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(invitation=invitation, token=token, password=GOOD_PASSWORD)


def test_it_refuses_an_expired_revoked_or_forged_link(cast, acme):
    expired = invite(cast, email="late@ardent.example")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    expired.refresh_from_db()
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(
            invitation=expired, token=invitation_token(expired), password=GOOD_PASSWORD
        )
    revoked = invite(cast, email="gone@ardent.example")
    services.invitation_revoke(invitation=revoked, user=cast.partner_a_admin)
    revoked.refresh_from_db()
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(
            invitation=revoked, token=invitation_token(revoked), password=GOOD_PASSWORD
        )
    fresh = invite(cast, email="fresh@ardent.example")
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(invitation=fresh, token="0" * 40, password=GOOD_PASSWORD)
    assert not User.objects.filter(
        email__in=["late@ardent.example", "gone@ardent.example", "fresh@ardent.example"]
    ).exists()


def test_it_invalidates_the_old_link_when_someone_is_invited_again(cast, acme):
    first = invite(cast)
    second = invite(cast)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.is_open
    assert invitation_token(first) != invitation_token(second)


def test_it_rejects_a_weak_password(cast, acme):
    invitation = invite(cast)
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, token=invitation_token(invitation), password="123"
        )


def test_it_lets_a_partner_admin_invite_only_to_their_own_partner(cast, acme):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            partner=cast.partner_b,
            email="x@b.example",
            role=Role.PARTNER_REP,
            user=cast.partner_a_admin,
        )
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            partner=cast.partner_a, email="x@a.example", role=Role.PARTNER_REP, user=cast.rep_a1
        )


def test_it_refuses_to_invite_an_existing_user_or_a_vendor_role(cast, acme):
    # A colleague's address: the inviter may know it has an account (another partner's
    # user's address is treated like a stranger's, tests/security/test_invitation_privacy.py).
    with pytest.raises(ValidationError):
        invite(cast, email=cast.rep_a2.email)
    with pytest.raises(ValidationError):
        invite(cast, role=Role.VENDOR_ADMIN)


def test_it_lets_a_partner_admin_deactivate_their_own_rep(cast, acme):
    rep = services.partner_user_set_active(
        user=cast.partner_a_admin, member=cast.rep_a1, active=False
    )
    assert not User.objects.get(pk=rep.pk).is_active


def test_it_never_lets_a_partner_admin_touch_another_partners_user(cast, acme):
    with pytest.raises(PermissionDenied):
        services.partner_user_set_active(user=cast.partner_a_admin, member=cast.rep_b, active=False)
    with pytest.raises(PermissionDenied):
        services.partner_user_set_role(
            user=cast.partner_a_admin, member=cast.rep_b, role=Role.PARTNER_ADMIN
        )
    with pytest.raises(PermissionDenied):
        services.partner_user_set_active(user=cast.rep_a1, member=cast.rep_a2, active=False)
    assert User.objects.get(pk=cast.rep_b.pk).is_active


def test_it_changes_a_role_but_keeps_one_admin(cast, acme):
    services.partner_user_set_role(
        user=cast.partner_a_admin, member=cast.rep_a1, role=Role.PARTNER_ADMIN
    )
    assert User.objects.get(pk=cast.rep_a1.pk).role == Role.PARTNER_ADMIN
    services.partner_user_set_role(
        user=cast.partner_a_admin, member=cast.rep_a1, role=Role.PARTNER_REP
    )
    with pytest.raises(ValidationError):
        services.partner_user_set_role(
            user=cast.partner_a_admin, member=cast.partner_a_admin, role=Role.PARTNER_REP
        )
    with pytest.raises(ValidationError):
        services.partner_user_set_active(
            user=cast.partner_a_admin, member=cast.partner_a_admin, active=False
        )


def test_it_lets_only_the_partners_admin_or_vendor_staff_withdraw_an_invitation(cast, acme):
    invitation = invite(cast)
    for outsider in (cast.rep_a1, cast.partner_b_admin):
        with pytest.raises(PermissionDenied):
            services.invitation_revoke(invitation=invitation, user=outsider)
    services.invitation_revoke(invitation=invitation, user=cast.cm_a)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
