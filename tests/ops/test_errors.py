"""PostgreSQL unavailable during a request: a clear 503 page, then normal service."""

import socket

import pytest
from django.db import connection

from tests.conftest import TenantClient


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down(cast, django_db_blocker):
    """Point the connection at a port nobody listens on, like a stopped PostgreSQL."""
    with django_db_blocker.unblock():
        settings_dict = connection.settings_dict
        saved = settings_dict["HOST"], settings_dict["PORT"]

        def stop():
            connection.close()
            settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", unused_port()

        def start():
            connection.close()
            settings_dict["HOST"], settings_dict["PORT"] = saved

        try:
            yield stop, start
        finally:
            start()


def test_it_answers_503_while_the_database_is_down_and_recovers(database_down):
    stop, start = database_down
    client = TenantClient("acme.localhost", raise_request_exception=False)
    assert client.get("/login/").status_code == 200

    stop()
    response = client.get("/login/", HTTP_X_REQUEST_ID="outage-test-0001")
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Temporarily unavailable" in body
    assert "outage-test-0001" in body  # the reference a user can quote
    assert "Traceback" not in body

    start()
    assert client.get("/login/").status_code == 200


def test_it_shows_the_outage_page_in_the_users_language(database_down):
    stop, _start = database_down
    client = TenantClient("acme.localhost", raise_request_exception=False)
    client.cookies["prm_language"] = "vi"
    stop()
    response = client.get("/login/")
    assert response.status_code == 503
    assert 'lang="vi"' in response.content.decode()
    assert "Tạm thời" in response.content.decode()


def test_it_shows_a_plain_500_page_for_other_errors(cast, db, client_for, monkeypatch):
    from prm.accounts import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "home_url_name", broken)
    client = client_for(cast.vendor_admin)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert response["X-Request-ID"] in response.content.decode()
