"""The TLS proxy may get certificates only for hosts we serve."""

from django.test import Client


def test_it_allows_certificates_for_active_vendor_hosts_only(cast, acme):
    client = Client(HTTP_HOST="web:8000")  # as the proxy asks, from inside the network
    assert client.get("/health/tls/", {"domain": "acme.localhost"}).status_code == 200
    assert client.get("/health/tls/", {"domain": "ACME.localhost."}).status_code == 200
    assert client.get("/health/tls/", {"domain": "evil.localhost"}).status_code == 404
    assert client.get("/health/tls/").status_code == 404


def test_it_refuses_certificates_for_a_suspended_vendor(cast, acme):
    from prm.tenancy.models import Vendor

    Vendor.objects.filter(pk=cast.globex.pk).update(is_active=False)
    client = Client(HTTP_HOST="web:8000")
    assert client.get("/health/tls/", {"domain": "globex.localhost"}).status_code == 404
