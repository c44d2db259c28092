"""Where a webhook may go: public addresses only in production, checked once per attempt
and connected to exactly as checked (no DNS rebinding), TLS checked on the URL's name, no
redirects followed. Real local servers; `FakeDns` plays the name server."""

import ssl

import pytest
from django.core.exceptions import ValidationError

from prm.webhooks import services
from prm.webhooks.models import DeliveryStatus
from prm.webhooks.targets import resolve_target
from tests.api.receivers import (
    RESOLVER,
    FakeDns,
    Receiver,
    Trap,
    receiver_and_trap,
    server_context,
    tls_files,
)

PUBLIC_V4 = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    return tls_files(tmp_path_factory.mktemp("webhook-tls"))


@pytest.fixture
def production(settings, tls):
    """Production's rules (public addresses, https), our DNS, and our test CA trusted."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    settings.WEBHOOKS_RESOLVER = RESOLVER
    settings.WEBHOOKS_CA_FILE = str(tls[0])
    return settings


def _tls_server(tls) -> ssl.SSLContext:
    return server_context(tls[1], tls[2])


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.3.4.5",
        "0.0.0.0",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.10",
        "169.254.169.254",  # cloud metadata service
        "100.64.0.1",  # carrier-grade NAT
        "192.0.0.170",
        "198.18.0.1",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",  # the metadata service over IPv6
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "ff02::1",
    ],
)
def test_it_refuses_every_non_public_address_a_name_resolves_to(address, production):
    FakeDns.reset(hooks_example_com=[[address]])
    with pytest.raises(ValidationError) as refused:
        resolve_target("https://hooks.example.com/prm")
    assert refused.value.code == "private_target"


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, f"::ffff:{PUBLIC_V4}"])
def test_it_accepts_public_addresses_and_keeps_the_name(address, production):
    FakeDns.reset(hooks_example_com=[[address]])
    target = resolve_target("https://hooks.example.com:8443/prm?x=1")
    assert (target.host, target.port, target.path) == ("hooks.example.com", 8443, "/prm?x=1")
    assert target.addresses == (address,)


def test_it_refuses_a_name_with_one_private_address_among_public_ones(production, cast, acme):
    FakeDns.reset(hooks_example_com=[[PUBLIC_V4, "10.0.0.7"]])
    with pytest.raises(ValidationError):
        services.endpoint_create(
            user=cast.vendor_admin, url="https://hooks.example.com/", events=["deal.approved"]
        )


@pytest.mark.parametrize(
    "host", ["localhost", "2130706433", "0x7f.1", "0.0.0.0", "[::ffff:127.0.0.1]", "[::1]"]
)
def test_it_refuses_loopback_in_any_spelling_with_the_system_resolver(host, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_ALLOWED_NETWORKS = []
    with pytest.raises(ValidationError) as refused:
        resolve_target(f"https://{host}/hook")
    assert refused.value.code == "private_target"


def test_a_name_that_turns_to_loopback_after_registration_gets_nothing_sent(production, cast, acme):
    with Trap("127.0.0.1") as trap:
        # Public when registered, loopback when the delivery is made: rebinding.
        FakeDns.reset(rebind_example_com=[[PUBLIC_V4], ["127.0.0.1"]])
        endpoint = services.endpoint_create(
            user=cast.vendor_admin,
            url=f"https://rebind.example.com:{trap.port}/hook",
            events=["partner.activated"],
        )
        [delivery] = services.emit("partner.activated", {"slug": "rebind"})
        delivery = services.delivery_attempt(delivery_id=delivery.pk)
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert "public address" in attempt.error
    assert trap.connections == 0, "no connection was made to the loopback address"
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at, "retried"
    assert endpoint.deliveries.count() == 1


def test_it_connects_to_the_address_it_checked_with_the_name_in_host_and_tls(
    production, tls, cast, acme
):
    receiver, trap = receiver_and_trap(tls=_tls_server(tls), trap_address="127.0.0.2")
    production.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the receiver, not the trap
    with receiver, trap:
        # Registration and the attempt's check see 127.0.0.1; a lookup after the check
        # (at connect time) would get 127.0.0.2, where the trap listens on the same port.
        FakeDns.reset(receiver_test=[["127.0.0.1"], ["127.0.0.1"], ["127.0.0.2"]])
        services.endpoint_create(
            user=cast.vendor_admin,
            url=f"https://receiver.test:{receiver.port}/hooks/prm",
            events=["partner.activated"],
        )
        [delivery] = services.emit("partner.activated", {"slug": "pinned"})
        delivery = services.delivery_attempt(delivery_id=delivery.pk)
    assert delivery.status == DeliveryStatus.SUCCEEDED, delivery.attempts.get().error
    assert FakeDns.calls == ["receiver.test", "receiver.test"], "one lookup per check"
    assert trap.connections == 0
    [(headers, body)] = receiver.requests
    assert headers["host"] == f"receiver.test:{receiver.port}"
    assert b'"slug":"pinned"' in body


def test_it_checks_the_certificate_against_the_name_not_the_address(production, tls, cast, acme):
    production.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with Receiver(tls=_tls_server(tls)) as receiver:  # its certificate names receiver.test
        FakeDns.reset(other_test=[["127.0.0.1"]])
        services.endpoint_create(
            user=cast.vendor_admin,
            url=f"https://other.test:{receiver.port}/",
            events=["partner.activated"],
        )
        [delivery] = services.emit("partner.activated", {"slug": "wrong-name"})
        delivery = services.delivery_attempt(delivery_id=delivery.pk)
    attempt = delivery.attempts.get()
    assert "certificate" in attempt.error.lower(), attempt.error
    assert attempt.status_code is None
    assert receiver.requests == [], "nothing was posted over an unverified connection"


def test_it_does_not_follow_a_redirect_to_a_private_address(production, tls, cast, acme):
    receiver, trap = receiver_and_trap(tls=_tls_server(tls), trap_address="127.0.0.2")
    production.WEBHOOKS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver.status = 307
    receiver.headers = {"location": f"http://127.0.0.2:{trap.port}/internal"}
    with receiver, trap:
        FakeDns.reset(receiver_test=[["127.0.0.1"]])
        services.endpoint_create(
            user=cast.vendor_admin,
            url=f"https://receiver.test:{receiver.port}/hooks/prm",
            events=["partner.activated"],
        )
        [delivery] = services.emit("partner.activated", {"slug": "redirected"})
        delivery = services.delivery_attempt(delivery_id=delivery.pk)
    attempt = delivery.attempts.get()
    assert attempt.status_code == 307
    assert "Redirects are not followed" in attempt.error
    assert f"127.0.0.2:{trap.port}" in attempt.error
    assert len(receiver.requests) == 1 and trap.connections == 0
    assert delivery.status == DeliveryStatus.PENDING, "a redirect is not a success"
