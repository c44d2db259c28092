"""Sessions: a new key at login, dead after logout and after a password change,
and cookies that only ever go back to the host that set them."""

from django.contrib.sessions.backends.db import SessionStore
from django_tenants.utils import schema_context

from tests.cast import PASSWORD
from tests.conftest import TenantClient

SESSION = "prm_session"


def login(client, user, password=PASSWORD):
    response = client.post("/login/", {"username": user.email, "password": password})
    assert response.status_code == 302, "login failed"
    return response


def test_it_rotates_the_session_key_at_login(cast, acme):
    client = TenantClient("acme.localhost")
    with schema_context("acme"):
        planted = SessionStore()
        planted["planted"] = True  # e.g. a fixation attempt: a key the attacker knows
        planted.create()
    client.cookies[SESSION] = planted.session_key
    login(client, cast.rep_a1)
    new_key = client.cookies[SESSION].value
    assert new_key != planted.session_key
    with schema_context("acme"):
        assert not SessionStore().exists(planted.session_key)
    replay = TenantClient("acme.localhost")
    replay.cookies[SESSION] = planted.session_key
    assert replay.get("/portal/").status_code == 302


def test_it_kills_the_old_cookie_at_logout(cast, acme):
    client = TenantClient("acme.localhost")
    login(client, cast.partner_a_admin)
    old = client.cookies[SESSION].value
    assert client.get("/portal/").status_code == 200
    client.post("/logout/")
    replay = TenantClient("acme.localhost")
    replay.cookies[SESSION] = old
    response = replay.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_kills_every_other_session_at_password_change(cast, acme):
    laptop, phone = TenantClient("acme.localhost"), TenantClient("acme.localhost")
    login(laptop, cast.rep_a2)
    login(phone, cast.rep_a2)
    laptop_before = laptop.cookies[SESSION].value
    new_password = "changed-password-2026-long"
    response = laptop.post(
        "/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    # The device that changed it stays in, on a new key; its old key and the phone are out.
    assert laptop.get("/portal/").status_code == 200
    assert laptop.cookies[SESSION].value != laptop_before
    assert phone.get("/portal/").status_code == 302
    replay = TenantClient("acme.localhost")
    replay.cookies[SESSION] = laptop_before
    assert replay.get("/portal/").status_code == 302


def test_it_sets_host_only_http_only_cookies(cast, acme):
    client = TenantClient("acme.localhost")
    page = client.get("/login/")
    response = client.post("/login/", {"username": cast.rep_a1.email, "password": PASSWORD})
    cookies = {**page.cookies, **response.cookies}
    assert {SESSION, "prm_csrftoken"} <= set(cookies)
    for name, morsel in cookies.items():
        assert morsel["domain"] == "", f"{name} has Domain={morsel['domain']}"
        assert morsel["samesite"].lower() == "lax", name
    assert cookies[SESSION]["httponly"]
