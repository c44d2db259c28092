"""The invitation link: set a password, land in the portal; a used link no longer works."""

from datetime import timedelta

from django.utils import timezone

from partners import services
from partners.invitations import invitation_path
from partners.models import Invitation
from prm.accounts.models import Role, User

PASSWORD = "a-long-unusual-passphrase-42"


def invitation(cast, email="join@ardent.example"):
    return services.invitation_create(
        partner=cast.partner_a,
        email=email,
        role=Role.PARTNER_REP,
        user=cast.partner_a_admin,
        full_name="Jo Join",
    )


def test_it_sets_a_password_and_logs_the_new_user_in(cast, acme, client_for):
    invite = invitation(cast)
    client = client_for(None)
    page = client.get(invitation_path(invite)).content.decode()
    assert "Join Ardent Systems" in page and "join@ardent.example" in page
    response = client.post(
        invitation_path(invite),
        {"full_name": "Jo Join", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/portal/"
    user = User.objects.get(email="join@ardent.example")
    assert user.partner == cast.partner_a and user.check_password(PASSWORD)
    assert "Welcome, Ardent Systems" in client.get("/portal/").content.decode()


def test_it_refuses_a_used_link(cast, acme, client_for):
    invite = invitation(cast)
    data = {"full_name": "Jo", "password1": PASSWORD, "password2": PASSWORD}
    client_for(None).post(invitation_path(invite), data)
    response = client_for(None).get(invitation_path(invite))
    assert response.status_code == 404
    assert "does not work" in response.content.decode()


def test_it_refuses_an_expired_or_tampered_link(cast, acme, client_for):
    invite = invitation(cast)
    path = invitation_path(invite)
    assert client_for(None).get(path[:-3] + "xyz/").status_code == 404
    Invitation.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(1))
    assert client_for(None).get(path).status_code == 404


def test_it_explains_mismatched_or_weak_passwords(cast, acme, client_for):
    invite = invitation(cast)
    client = client_for(None)
    page = client.post(
        invitation_path(invite), {"full_name": "Jo", "password1": PASSWORD, "password2": "other"}
    ).content.decode()
    assert "The two passwords differ" in page
    response = client.post(
        invitation_path(invite),
        {"full_name": "Jo", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="join@ardent.example").exists()
