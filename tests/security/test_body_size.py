"""Anonymous POST bodies are capped before anything reads them."""

from tests.conftest import TenantClient


def test_it_refuses_a_large_anonymous_post(cast, acme, settings):
    client = TenantClient("acme.localhost")
    big = "x" * (settings.ANONYMOUS_MAX_BODY_BYTES + 1)
    for url in ("/login/", "/partners/apply/", "/password/reset/"):
        response = client.post(url, {"username": big, "password": "p"})
        assert response.status_code == 413, url


def test_it_takes_a_normal_anonymous_post(cast, acme):
    response = TenantClient("acme.localhost").post(
        "/login/", {"username": "a@b.c", "password": "p"}
    )
    assert response.status_code == 200


def test_it_leaves_logged_in_users_the_general_limit(cast, acme, client_for, settings):
    big = "x" * (settings.ANONYMOUS_MAX_BODY_BYTES + 1)
    response = client_for(cast.partner_a_admin).post(
        "/portal/users/", {"email": "big@ardent.example", "role": "partner_rep", "full_name": big}
    )
    assert response.status_code != 413
