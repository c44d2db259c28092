"""Uploaded files stay private per vendor; every page carries a strict CSP."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django_tenants.utils import schema_context

from tests.conftest import TenantClient
from tests.test_authorization import TENANT_EXPECTATIONS, TENANT_URLCONF, url_names


@pytest.fixture
def stored_file(cast, db):
    name = f"reports/{uuid.uuid4().hex}.csv"
    with schema_context("acme"):
        saved = default_storage.save(name, ContentFile(b"invoice,amount\nA-1,100\n"))
        path = default_storage.path(saved)
    yield saved, path
    with schema_context("acme"):
        default_storage.delete(saved)


def test_it_stores_uploads_under_the_vendors_own_folder(stored_file):
    saved, path = stored_file
    assert path == str(Path(str(settings.MEDIA_ROOT)) / "acme" / saved)


@pytest.mark.parametrize("host", ["acme.localhost", "globex.localhost", "localhost"])
def test_it_never_serves_uploads_by_url(stored_file, host):
    saved, _path = stored_file
    for url in (f"/media/acme/{saved}", f"/media/{saved}", f"{settings.MEDIA_URL}{saved}"):
        assert TenantClient(host).get(url).status_code == 404, f"{host}{url}"


def csp_of(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


def assert_strict_csp(response, where):
    policy = csp_of(response)
    assert policy, f"{where} has no Content-Security-Policy header"
    assert policy["default-src"] == "default-src 'self'", where
    for directive in ("script-src", "style-src"):
        assert "unsafe-inline" not in policy.get(directive, ""), where
        assert "unsafe-eval" not in policy.get(directive, ""), where
    assert policy["frame-ancestors"] == "frame-ancestors 'none'", where


def test_it_sends_a_strict_csp_on_every_page_a_vendor_admin_opens(cast, acme, client_for):
    client = client_for(cast.vendor_admin)
    checked = 0
    for name in sorted(set(url_names(TENANT_URLCONF)) - {"admin"}):
        expects = TENANT_EXPECTATIONS.get(name)
        gets = [e for e in (expects if isinstance(expects, tuple) else (expects,)) if e]
        expect = next((e for e in gets if e.method == "get"), None)
        if expect is None:
            continue
        url = reverse(name, urlconf=TENANT_URLCONF, kwargs=expect.kwargs(cast))
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            assert_strict_csp(response, url)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize(
    "host,path",
    [("acme.localhost", "/login/"), ("localhost", "/"), ("acme.localhost", "/admin/login/")],
)
def test_it_sends_a_strict_csp_to_visitors(cast, db, host, path):
    assert_strict_csp(TenantClient(host).get(path), f"{host}{path}")
