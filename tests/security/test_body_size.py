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


def test_it_leaves_api_calls_to_the_api_key_check(cast, acme, settings):
    big = "x" * (settings.ANONYMOUS_MAX_BODY_BYTES + 1)
    client = TenantClient("acme.localhost")
    api = client.post(
        "/api/v1/deals/",
        data=big,
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer not-a-key",
    )
    assert api.status_code == 401  # the key is refused before the body is read
    # A header alone does not lift the cap anywhere else.
    page = client.post("/login/", {"username": big}, HTTP_AUTHORIZATION="Bearer not-a-key")
    assert page.status_code == 413
