"""Login, logout, password reset and the home page of each role."""

import re

import pytest
from django.core import mail

from tests.cast import PASSWORD


@pytest.mark.parametrize(
    ("cast_name", "home"),
    [
        ("vendor_admin", "/workspace/"),
        ("cm_a", "/workspace/"),
        ("partner_a_admin", "/portal/"),
        ("rep_a1", "/portal/"),
    ],
)
def test_it_lands_each_role_on_its_home_page(cast, acme, client_for, cast_name, home):
    user = cast.users()[cast_name]
    client = client_for(None)
    response = client.post("/login/", {"username": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_it_shows_a_cm_only_their_own_partners(cast, acme, client_for):
    body = client_for(cast.cm_a).get("/workspace/").content.decode()
    assert "Ardent Systems" in body
    assert "Bergmann IT" not in body


def test_it_refuses_a_wrong_password_with_a_helpful_message(cast, acme, client_for):
    response = client_for(None).post(
        "/login/", {"username": cast.rep_a1.email, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_it_does_not_log_in_a_globex_user_on_acme(cast, acme, client_for):
    response = client_for(None).post(
        "/login/", {"username": cast.globex_admin.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in response.client.session


def test_it_locks_an_account_after_repeated_failures(cast, acme, client_for, settings):
    settings.AXES_ENABLED = True
    client = client_for(None)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": cast.rep_b.email, "password": "nope"})
    response = client.post("/login/", {"username": cast.rep_b.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_it_e_mails_a_working_password_reset_link(cast, acme, client_for):
    client = client_for(None)
    client.post("/password/reset/", {"email": cast.rep_a2.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://acme\.localhost\S+", mail.outbox[0].body).group(0)
    path = link.split("acme.localhost", 1)[1]
    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-new-long-password-2026", "new_password2": "a-new-long-password-2026"},
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/login/", {"username": cast.rep_a2.email, "password": "a-new-long-password-2026"}
        ).status_code
        == 302
    )


def test_it_logs_out_and_the_old_session_is_dead(cast, acme, client_for):
    client = client_for(cast.rep_a1)
    assert client.get("/portal/").status_code == 200
    old_cookie = client.cookies["prm_session"].value
    client.post("/logout/")
    replay = client_for(None)
    replay.cookies["prm_session"] = old_cookie
    assert replay.get("/portal/").status_code == 302
