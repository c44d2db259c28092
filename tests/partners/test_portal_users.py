"""Partner admins manage their own users: invite, deactivate, change role; only theirs."""

from django.core import mail

from partners.memberships import partner_user_create
from partners.models import Invitation
from prm.accounts.models import Role, User
from tests.partners.helpers import queries_for


def test_it_lists_only_the_admins_own_users(cast, acme, client_for):
    page = client_for(cast.partner_a_admin).get("/portal/users/").content.decode()
    assert cast.rep_a1.email in page and cast.rep_a2.email in page
    assert cast.rep_b.email not in page


def test_it_refuses_reps_and_vendor_staff(cast, acme, client_for):
    assert client_for(cast.rep_a1).get("/portal/users/").status_code == 403
    assert client_for(cast.cm_a).get("/portal/users/").status_code == 403


def test_it_invites_a_colleague(cast, acme, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.partner_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portal/users/",
            {
                "email": "Newbie@Ardent.example",
                "full_name": "Newbie",
                "role": "partner_rep",
                "partner": cast.partner_b.pk,
            },
        )  # a forged partner changes nothing
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="newbie@ardent.example")
    assert invitation.partner == cast.partner_a and invitation.invited_by == cast.partner_a_admin
    assert mail.outbox[0].to == ["newbie@ardent.example"]


def test_it_explains_why_an_invitation_cannot_be_sent(cast, acme, client_for):
    page = (
        client_for(cast.partner_a_admin)
        .post("/portal/users/", {"email": cast.rep_a2.email, "role": "partner_rep"})
        .content.decode()
    )
    assert "already has an account" in page


def test_it_deactivates_and_reactivates_a_rep(cast, acme, client_for):
    client = client_for(cast.partner_a_admin)
    client.post(f"/portal/users/{cast.rep_a1.pk}/active/", {"active": "0"})
    assert not User.objects.get(pk=cast.rep_a1.pk).is_active
    client.post(f"/portal/users/{cast.rep_a1.pk}/active/", {"active": "1"})
    assert User.objects.get(pk=cast.rep_a1.pk).is_active


def test_it_changes_a_users_role(cast, acme, client_for):
    client_for(cast.partner_a_admin).post(
        f"/portal/users/{cast.rep_a2.pk}/role/", {"role": "partner_admin"}
    )
    assert User.objects.get(pk=cast.rep_a2.pk).role == Role.PARTNER_ADMIN


def test_it_answers_404_for_another_partners_user(cast, acme, client_for):
    client = client_for(cast.partner_a_admin)
    assert client.post(f"/portal/users/{cast.rep_b.pk}/active/", {"active": "0"}).status_code == 404
    assert (
        client.post(f"/portal/users/{cast.rep_b.pk}/role/", {"role": "partner_admin"}).status_code
        == 404
    )
    rep_b = User.objects.get(pk=cast.rep_b.pk)
    assert rep_b.is_active and rep_b.role == Role.PARTNER_REP


def test_it_answers_403_to_a_rep_on_admin_actions(cast, acme, client_for):
    client = client_for(cast.rep_a1)
    assert (
        client.post(f"/portal/users/{cast.rep_a2.pk}/active/", {"active": "0"}).status_code == 403
    )
    assert User.objects.get(pk=cast.rep_a2.pk).is_active


def test_it_stops_a_deactivated_user_from_logging_in(cast, acme, client_for):
    client_for(cast.partner_a_admin).post(
        f"/portal/users/{cast.rep_a1.pk}/active/", {"active": "0"}
    )
    response = client_for(None).post(
        "/login/", {"username": cast.rep_a1.email, "password": "cast-password-2026"}
    )
    assert response.status_code == 200  # the form again, not a redirect


def test_it_keeps_a_constant_number_of_queries_as_users_grow(
    cast, acme, client_for, django_assert_max_num_queries
):
    client = client_for(cast.partner_a_admin)
    before = queries_for(client, "/portal/users/")
    for n in range(10):
        partner_user_create(
            email=f"extra{n}@ardent.example", role=Role.PARTNER_REP, partner=cast.partner_a
        )
        Invitation.objects.create(
            partner=cast.partner_a,
            email=f"inv{n}@ardent.example",
            role=Role.PARTNER_REP,
            nonce="x" * 32,
            expires_at="2099-01-01T00:00:00Z",
        )
    with django_assert_max_num_queries(before):
        assert queries_for(client, "/portal/users/") == before
