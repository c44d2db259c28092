"""The client's address behind the TLS proxy: one function (prm.accounts.network) used by
login throttling, the public forms' throttles and the logs."""

import logging

import pytest
from django.test import RequestFactory

from prm.accounts.network import client_ip
from prm.accounts.throttle import reset_all
from tests.cast import PASSWORD
from tests.conftest import TenantClient

PROXY = "10.0.0.5"


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_it_takes_the_address_the_trusted_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote the left entry itself; only the proxy's own entry counts.
    assert client_ip(request_from(PROXY, "6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from(PROXY, "203.0.113.8")) == "203.0.113.8"


def test_it_counts_proxies_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(PROXY, "6.6.6.6, 203.0.113.7, 10.0.0.9")) == "203.0.113.7"


def test_it_ignores_the_header_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("198.51.100.2", "203.0.113.7")) == "198.51.100.2"


def test_it_falls_back_to_the_socket_address_on_a_short_or_bad_header(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from(PROXY, "203.0.113.7")) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from(PROXY, "not-an-address")) == PROXY
    assert client_ip(request_from(PROXY, "")) == PROXY


def behind_proxy(client_address):
    return TenantClient("acme.localhost", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


@pytest.fixture
def proxied(settings):
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1
    reset_all()
    yield settings
    reset_all()


def test_it_locks_the_attacker_not_everyone_behind_the_proxy(cast, acme, proxied):
    attacker = behind_proxy("203.0.113.66")
    for _ in range(proxied.AXES_FAILURE_LIMIT):
        attacker.post("/login/", {"username": cast.vendor_admin.email, "password": "guess"})
    locked = attacker.post("/login/", {"username": cast.vendor_admin.email, "password": PASSWORD})
    assert locked.status_code == 429
    # The admin, from their own address through the same proxy, still logs in.
    admin = behind_proxy("198.51.100.20")
    response = admin.post("/login/", {"username": cast.vendor_admin.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in admin.session


def application(n):
    return {
        "company_name": f"Proxy Co {n}",
        "country": "US",
        "partner_type": "reseller",
        "contact_name": "Sam",
        "contact_email": f"sam{n}@proxy{n}.example",
    }


def test_it_throttles_applications_per_client_not_per_proxy(cast, acme, proxied):
    flooder = behind_proxy("203.0.113.66")
    limit = proxied.APPLY_PER_CLIENT[0]
    for n in range(limit):
        assert flooder.post("/partners/apply/", application(n)).status_code == 302
    assert flooder.post("/partners/apply/", application(50)).status_code == 429
    # Another visitor behind the same proxy has their own counter.
    visitor = behind_proxy("198.51.100.20")
    assert visitor.post("/partners/apply/", application(99)).status_code == 302


def test_it_writes_the_client_address_into_the_logs(cast, acme, proxied, caplog):
    from prm.core.observability import ContextFilter, KeyValueFormatter

    caplog.handler.addFilter(ContextFilter())
    with caplog.at_level(logging.INFO):
        behind_proxy("203.0.113.77").post(
            "/login/", {"username": cast.rep_a1.email, "password": PASSWORD}
        )
    records = [r for r in caplog.records if getattr(r, "client", "-") != "-"]
    assert records and {r.client for r in records} == {"203.0.113.77"}
    assert "client=203.0.113.77" in KeyValueFormatter().format(records[0])
