"""CSRF is enforced on every unsafe method of every URL pattern, htmx requests included.

The patterns are enumerated from both URL configurations (like test_authorization), and
their arguments are made up from the converters: the CSRF check runs before any view, so
an object need not exist. A new POST endpoint is covered without anyone adding a line;
one that must be exempt (a signed webhook, say) belongs in EXEMPT with the reason.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django_tenants.utils import schema_context

from tests.conftest import TenantClient

TENANT_URLCONF = "prm.urls"
PUBLIC_URLCONF = "prm.urls_public"
UNSAFE_METHODS = ("post", "put", "patch", "delete")
# Admin pages are covered by their login/logout and one change form (same machinery).
ADMIN_PATHS = ("/admin/login/", "/admin/logout/", "/admin/accounts/user/add/")
EXEMPT: dict[str, str] = {}  # "ns:name" -> why it may skip CSRF


def dummy(converter) -> object:
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x1"


def unsafe_targets(urlconf: str) -> list[tuple[str, str]]:
    """(name, path) of every named non-admin pattern, arguments made up."""
    found: list[tuple[str, str]] = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, ":".join(p for p in (namespace, pattern.namespace) if p))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                converters = getattr(pattern.pattern, "converters", {})
                kwargs = {key: dummy(conv) for key, conv in converters.items()}
                found.append((name, reverse(name, urlconf=urlconf, kwargs=kwargs)))

    walk(get_resolver(urlconf).url_patterns, "")
    return sorted(set(found))


TENANT_TARGETS = unsafe_targets(TENANT_URLCONF) + [(p, p) for p in ADMIN_PATHS]
PUBLIC_TARGETS = unsafe_targets(PUBLIC_URLCONF) + [(p, p) for p in ADMIN_PATHS]


def csrf_client(host: str, user=None, schema: str = "acme") -> TenantClient:
    client = TenantClient(host, enforce_csrf_checks=True)
    if user is not None:
        with schema_context(schema):
            client.force_login(user)
    return client


def assert_refused(client, path: str, name: str) -> None:
    wrong = {}
    for method in UNSAFE_METHODS:
        for htmx in (False, True):
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            response = getattr(client, method)(path, data={}, **headers)
            # 403 either way: CSRF refused it, or (views that check CSRF themselves after
            # choosing upload handlers) the role was refused before the CSRF check. The REST
            # API takes no cookies at all, only a bearer key: a forged request riding on a
            # session gets 401 there (405 for a method the path does not serve).
            refused = (401, 403, 405) if name.startswith("api:") else (403,)
            if response.status_code not in refused:
                wrong[f"{method.upper()}{' htmx' if htmx else ''}"] = response.status_code
    assert not wrong, f"{name} ({path}) accepted requests without a CSRF token: {wrong}"


@pytest.mark.parametrize(("name", "path"), TENANT_TARGETS)
def test_it_refuses_unsafe_requests_without_a_token_on_vendor_hosts(name, path, cast, acme):
    if name in EXEMPT:
        pytest.skip(EXEMPT[name])
    assert_refused(csrf_client("acme.localhost", cast.vendor_admin), path, name)
    assert_refused(csrf_client("acme.localhost", cast.partner_a_admin), path, name)
    assert_refused(csrf_client("acme.localhost", cast.rep_a1), path, name)
    assert_refused(csrf_client("acme.localhost"), path, name)


@pytest.mark.parametrize(("name", "path"), PUBLIC_TARGETS)
def test_it_refuses_unsafe_requests_without_a_token_on_the_public_host(name, path, cast, db):
    if name in EXEMPT:
        pytest.skip(EXEMPT[name])
    assert_refused(csrf_client("localhost", cast.operator, schema="public"), path, name)
    assert_refused(csrf_client("localhost"), path, name)


def test_it_accepts_an_htmx_request_with_the_header_token(cast, acme):
    """The positive case, so the refusals above are not a broken page answering 403."""
    client = csrf_client("acme.localhost", cast.rep_a1)
    page = client.get("/portal/")
    token = str(page.context["csrf_token"])
    assert f'"X-CSRFToken": "{token}"' in page.content.decode()  # <body hx-headers>
    response = client.post("/logout/", HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 302


def test_it_refuses_a_token_from_another_vendor(cast, acme):
    globex_client = csrf_client("globex.localhost")
    globex_client.get("/login/")
    foreign = globex_client.cookies["prm_csrftoken"].value
    client = csrf_client("acme.localhost", cast.rep_a1)
    client.get("/portal/")  # acme's own CSRF cookie is set
    assert client.cookies["prm_csrftoken"].value != foreign
    response = client.post("/logout/", HTTP_X_CSRFTOKEN=foreign)
    assert response.status_code == 403
