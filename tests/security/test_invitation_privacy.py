"""A partner admin's invitation form tells nothing about other partners' users and
cannot withdraw other partners' invitations."""

from django.core import mail

from partners import services
from partners.models import Invitation


def invite(client, email):
    return client.post("/portal/users/", {"email": email, "role": "partner_rep"})


def test_it_answers_the_same_for_another_partners_user_as_for_a_stranger(
    cast, acme, client_for, django_capture_on_commit_callbacks
):
    client = client_for(cast.partner_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        stranger = invite(client, "nobody@elsewhere.example")
        rival = invite(client, cast.rep_b.email)
    assert stranger.status_code == rival.status_code == 302
    page = client.get("/portal/users/").content.decode()
    assert "already has an account" not in page
    # Both look like open invitations; only the stranger got an e-mail, and rep_b's
    # account is untouched (the link could not be accepted anyway).
    assert cast.rep_b.email in page and "nobody@elsewhere.example" in page
    assert [message.to for message in mail.outbox] == [["nobody@elsewhere.example"]]


def test_it_still_says_so_for_the_admins_own_colleague(cast, acme, client_for):
    page = invite(client_for(cast.partner_a_admin), cast.rep_a1.email).content.decode()
    assert "already has an account" in page


def test_it_leaves_another_partners_invitation_open(cast, acme, client_for):
    theirs = services.invitation_create(
        partner=cast.partner_b,
        email="new.hire@example.com",
        role="partner_rep",
        user=cast.partner_b_admin,
    )
    invite(client_for(cast.partner_a_admin), "New.Hire@example.com")
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and theirs.is_open
    ours = Invitation.objects.get(partner=cast.partner_a, email="new.hire@example.com")
    assert ours.is_open


def test_it_replaces_the_partners_own_earlier_invitation(cast, acme, client_for):
    client = client_for(cast.partner_a_admin)
    invite(client, "again@example.com")
    invite(client, "again@example.com")
    invitations = Invitation.objects.filter(partner=cast.partner_a, email="again@example.com")
    assert [i.is_open for i in invitations.order_by("pk")] == [False, True]


def test_it_refuses_to_withdraw_another_partners_invitation(cast, acme, client_for):
    theirs = services.invitation_create(
        partner=cast.partner_b,
        email="kept@example.com",
        role="partner_rep",
        user=cast.partner_b_admin,
    )
    response = client_for(cast.partner_a_admin).post(f"/portal/invitations/{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
