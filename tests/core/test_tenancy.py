"""Tenants never see each other: sessions, cache entries, routing, suspension."""

import uuid

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from prm.tenancy.services import vendor_set_active


def test_it_does_not_accept_an_acme_session_on_globex(cast, acme, client_for):
    acme_client = client_for(cast.vendor_admin)
    assert acme_client.get("/workspace/").status_code == 200

    # The same cookie jar sent to globex's host: globex has its own session table.
    replayed = client_for(cast.vendor_admin, host="globex.localhost")
    response = replayed.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_keeps_cache_entries_apart_per_tenant(cast, db):
    key = f"dashboard:totals:{uuid.uuid4()}"  # a fresh key: Redis outlives test runs
    with schema_context("acme"):
        cache.set(key, "acme figures", 30)
    with schema_context("globex"):
        assert cache.get(key) is None
        cache.set(key, "globex figures", 30)
    with schema_context("acme"):
        assert cache.get(key) == "acme figures"


def test_it_answers_404_for_an_unknown_host(client_for):
    response = client_for(None, host="nobody.localhost").get("/login/")
    assert response.status_code == 404


def test_it_shows_a_suspended_page_for_a_suspended_vendor(cast, db, client_for):
    connection.set_schema_to_public()
    vendor_set_active(vendor=cast.globex, active=False)
    try:
        response = client_for(None, host="globex.localhost").get("/login/")
        assert response.status_code == 503
        assert b"suspended" in response.content
    finally:
        vendor_set_active(vendor=cast.globex, active=True)


def test_it_serves_the_landing_page_on_the_public_host(client_for):
    response = client_for(None, host="localhost").get("/")
    assert response.status_code == 200
    assert b"Partner Relationship Management" in response.content
