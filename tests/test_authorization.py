"""Every URL pattern of both URL configurations, requested by every role.

A pattern without an expectation fails `test_it_has_an_expectation_for_every_url`; an
answer that differs from the expectation fails the pattern's own test. Expectations live
in tests/<app>/authz.py (see tests/authz.py for the vocabulary).
"""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.authz import PUBLIC_ROLES, TENANT_ROLES, Expect
from tests.core.authz import ADMIN_CHANGELIST

TENANT_URLCONF = "prm.urls"
PUBLIC_URLCONF = "prm.urls_public"


def _collect(attribute: str) -> dict[str, Expect]:
    merged: dict[str, Expect] = {}
    for module_info in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if not module_info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{module_info.name}.authz")
        except ModuleNotFoundError:
            continue
        for name, expect in getattr(module, attribute, {}).items():
            assert name not in merged, f"{name} has two expectations"
            merged[name] = expect
    return merged


TENANT_EXPECTATIONS = _collect("EXPECTATIONS")
PUBLIC_EXPECTATIONS = _collect("PUBLIC_EXPECTATIONS")


def url_names(urlconf: str) -> list[str]:
    """Every named pattern as 'namespace:name'; the admin site counts as one ('admin')."""
    names: list[str] = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.append("admin")
                    continue
                inner = ":".join(p for p in (namespace, pattern.namespace) if p)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed URL pattern {pattern.pattern} in {urlconf}"
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(urlconf).url_patterns, "")
    return names


@pytest.mark.parametrize(
    ("urlconf", "expectations"),
    [(TENANT_URLCONF, TENANT_EXPECTATIONS), (PUBLIC_URLCONF, PUBLIC_EXPECTATIONS)],
)
def test_it_has_an_expectation_for_every_url(urlconf, expectations):
    names = set(url_names(urlconf)) - {"admin"}
    missing = sorted(names - set(expectations))
    stale = sorted(set(expectations) - names)
    assert not missing, f"URL patterns without an expected answer per role: {missing}"
    assert not stale, f"Expectations for URL patterns that no longer exist: {stale}"


def _expects(value) -> tuple[Expect, ...]:
    return value if isinstance(value, tuple) else (value,)


def _api_client(client_for, cast, role, keys: dict):
    """A client on acme's host sending the role's API key (none for anonymous)."""
    from django_tenants.utils import schema_context

    from prm.accounts.services import api_key_create

    if role == "anonymous":
        return client_for(None)
    if role not in keys:
        if role == "globex_admin":
            user, schema = cast.globex_admin, cast.globex.schema_name
        else:
            user, schema = cast.users()[role], cast.acme.schema_name
        with schema_context(schema):
            keys[role] = api_key_create(user=user, name="authz")[1]
    client = client_for(None)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {keys[role]}"
    return client


def _tenant_client(client_for, cast, role):
    if role == "anonymous":
        return client_for(None)
    if role == "globex_admin":
        # Logged in on globex, cookie replayed against acme's host.
        return client_for(cast.globex_admin, tenant=cast.globex, host="acme.localhost")
    return client_for(cast.users()[role])


def _public_client(client_for, cast, role):
    if role == "anonymous":
        return client_for(None, tenant=cast.acme, host="localhost")
    if role == "operator":
        from django_tenants.utils import get_public_schema_name, get_tenant_model

        public = get_tenant_model().objects.get(schema_name=get_public_schema_name())
        return client_for(cast.operator, tenant=public, host="localhost")
    return client_for(cast.vendor_admin, host="localhost")


def _check(client, expect: Expect, url: str, cast) -> int:
    method = getattr(client, expect.method)
    extra = {"content_type": expect.content_type} if expect.content_type else {}
    return method(url, data=expect.data(cast), **extra).status_code


@pytest.mark.parametrize("name", sorted(set(url_names(TENANT_URLCONF)) - {"admin"}))
def test_tenant_url_answers_each_role_as_expected(name, cast, acme, client_for):
    assert name in TENANT_EXPECTATIONS, f"no expectation for {name}"
    keys: dict[str, str] = {}
    wrong = {}
    for expect in _expects(TENANT_EXPECTATIONS[name]):
        url = reverse(name, urlconf=TENANT_URLCONF, kwargs=expect.kwargs(cast))
        for role in TENANT_ROLES:
            if name.startswith("api:"):
                client = _api_client(client_for, cast, role, keys)
            else:
                client = _tenant_client(client_for, cast, role)
            status = _check(client, expect, url, cast)
            if status != expect.answers[role]:
                wrong[f"{expect.method.upper()} {role}"] = (
                    f"got {status}, expected {expect.answers[role]}"
                )
    assert not wrong, f"{url}: {wrong}"


def test_it_has_an_expectation_for_every_api_method(cast, acme):
    """Each method of each API path (from the OpenAPI schema) is in the matrix."""
    import re

    from prm.api_v1 import api

    tried = set()
    for name, value in TENANT_EXPECTATIONS.items():
        if name.startswith("api:"):
            for expect in _expects(value):
                path = reverse(name, urlconf=TENANT_URLCONF, kwargs=expect.kwargs(cast))
                tried.add((path, expect.method))
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    missing = []
    for template, operations in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template)) + "$")
        for method in operations:
            if not any(pattern.match(path) and m == method for path, m in tried):
                missing.append(f"{method.upper()} {template}")
    assert not missing, f"API operations without expected answers per role: {missing}"


@pytest.mark.parametrize("name", sorted(set(url_names(PUBLIC_URLCONF)) - {"admin"}))
def test_public_url_answers_each_role_as_expected(name, cast, db, client_for):
    expect = PUBLIC_EXPECTATIONS[name]
    url = reverse(name, urlconf=PUBLIC_URLCONF, kwargs=expect.kwargs(cast))
    wrong = {}
    for role in PUBLIC_ROLES:
        status = _check(_public_client(client_for, cast, role), expect, url, cast)
        if status != expect.answers[role]:
            wrong[role] = f"got {status}, expected {expect.answers[role]}"
    assert not wrong, f"{expect.method.upper()} {url}: {wrong}"


def _admin_models():
    return sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


@pytest.mark.parametrize(("app_label", "model_name"), _admin_models())
def test_tenant_admin_changelist_is_for_vendor_admins_only(
    app_label, model_name, cast, acme, client_for
):
    from django.apps import apps

    from prm.core.admin import model_lives_here

    url = reverse(f"admin:{app_label}_{model_name}_changelist", urlconf=TENANT_URLCONF)
    lives_here = model_lives_here(apps.get_model(app_label, model_name))
    wrong = {}
    for role in TENANT_ROLES:
        expected = ADMIN_CHANGELIST[role]
        if role == "vendor_admin" and not lives_here:
            expected = 403  # e.g. vendors and domains: the operator's business only
        status = _tenant_client(client_for, cast, role).get(url).status_code
        if status != expected:
            wrong[role] = f"got {status}, expected {expected}"
    assert not wrong, f"GET {url}: {wrong}"


@pytest.mark.parametrize(("app_label", "model_name"), _admin_models())
def test_public_admin_changelist_is_for_the_operator_only(
    app_label, model_name, cast, db, client_for
):
    from django.apps import apps
    from django.db import connection

    url = reverse(f"admin:{app_label}_{model_name}_changelist", urlconf=PUBLIC_URLCONF)
    connection.set_schema_to_public()
    from prm.core.admin import model_lives_here

    lives_here = model_lives_here(apps.get_model(app_label, model_name))
    expected = {"anonymous": 302, "operator": 200 if lives_here else 403, "acme_vendor_admin": 302}
    wrong = {}
    for role in PUBLIC_ROLES:
        status = _public_client(client_for, cast, role).get(url).status_code
        if status != expected[role]:
            wrong[role] = f"got {status}, expected {expected[role]}"
    assert not wrong, f"GET {url} on the public host: {wrong}"
