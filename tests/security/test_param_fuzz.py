"""Hostile query parameters on every page that reads them: never a server error.

The pages are every GET pattern of the authorization matrix (tests/*/authz.py) that some
role may open, with the same arguments; each is requested by every role that may open it.
The parameters are the ones the page itself offers (the names of its GET forms' fields and
of its links' query strings) plus the filter names used anywhere in the product. Each
hostile value goes into all parameters at once for every role, and into one parameter at a
time for the first role. A value that cannot be used must be ignored (200) or refused (400,
404), never answered with 500.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from tests.authz import OK, TENANT_ROLES
from tests.test_authorization import (
    TENANT_EXPECTATIONS,
    TENANT_URLCONF,
    _expects,
    _tenant_client,
)

#: Filter names used somewhere in the product (a page may read one without offering it).
COMMON = (
    "page",
    "partner",
    "status",
    "start",
    "end",
    "q",
    "tier",
    "territory",
    "product",
    "country",
    "channel_manager",
    "uploaded_from",
    "uploaded_to",
    "kind",
)
#: The list, dashboard and export pages (the partner page shows lists of its own).
PAGES = (
    "analytics:dashboard",
    "analytics:leaderboard",
    "analytics:health",
    "analytics:scorecard",
    "analytics:reconciliation",
    "analytics:findings_export",
    "analytics:rates",
    "analytics:export",
    "analytics:my_scorecard",
    "analytics:my_export",
    "channels:workspace",
    "channels:territories",
    "channels:announcements",
    "deals:list",
    "deals:review_queue",
    "deals:notifications",
    "partners:list",
    "partners:export",
    "partners:applications",
    "partners:detail",
    "portal:home",
    "portal:users",
    "reporting:uploads",
    "reporting:export",
    "reporting:aliases",
)


def hostile_values(cast) -> list[object]:
    return [
        "²",  # isdigit() is true, int() refuses
        "-1",
        "99999999999999999999999999",  # past bigint
        "9999-12",  # a year later overflows date
        "",
        "\x00",  # PostgreSQL text refuses NUL
        "x" * 3000,
        ["1", "²"],  # repeated
        str(cast.partner_b.pk),  # another partner's id
        str(cast.globex_partner.pk),  # an id from the other tenant
    ]


SINGLE = ("²", "99999999999999999999999999", "9999-12", "\x00")


class _GetParams(HTMLParser):
    """Names of the fields of GET forms and of query keys of links to `path`."""

    def __init__(self, path: str):
        super().__init__()
        self.path, self.names, self.in_get_form = path, set(), False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self.in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])
        for attribute in ("href", "hx-get"):
            link = attrs.get(attribute)
            if link and "?" in link:
                parts = urlsplit(link)
                if parts.path in ("", self.path):
                    self.names.update(key for key, _ in parse_qsl(parts.query, True))

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_get_form = False


def test_it_covers_every_list_page_of_the_matrix():
    """A page that reads filters must be listed above to be fuzzed."""
    assert set(PAGES) <= set(TENANT_EXPECTATIONS)
    for name in PAGES:
        assert _get(name) is not None and OK in _get(name).answers.values()


def _get(name: str):
    return next((e for e in _expects(TENANT_EXPECTATIONS[name]) if e.method == "get"), None)


def _urls(name: str, expect, cast) -> list[str]:
    kwargs = expect.kwargs(cast)
    if name in ("analytics:export", "analytics:my_export"):
        from reporting.analytics.tables import EXPORTS

        return [
            reverse(name, urlconf=TENANT_URLCONF, kwargs={"table": table, "fmt": fmt})
            for table, export in EXPORTS.items()
            if name == "analytics:export" or export.for_partners
            for fmt in ("csv", "xlsx")
        ][:2]
    return [reverse(name, urlconf=TENANT_URLCONF, kwargs=kwargs)]


@pytest.mark.parametrize("name", PAGES)
def test_it_never_answers_500_to_hostile_parameters(name, cast, acme, client_for):
    expect = _get(name)
    roles = [r for r in TENANT_ROLES if expect.answers[r] == OK and r != "anonymous"]
    clients = {role: _tenant_client(client_for, cast, role) for role in roles}
    for client in clients.values():
        client.raise_request_exception = False  # collect every 500, not just the first
    failures = []

    def check(client, role, url, params):
        response = client.get(url, params)
        if response.status_code >= 500:
            shown = {
                key: (value if len(str(value)) < 40 else "<long>") for key, value in params.items()
            }
            failures.append(f"{role} GET {url} {shown}: {response.status_code}")
        return response

    for url in _urls(name, expect, cast):
        names: set[str] = set()
        for role, client in clients.items():
            page = check(client, role, url, {})
            if page.status_code == OK and page.get("Content-Type", "").startswith("text/html"):
                parser = _GetParams(urlsplit(url).path)
                parser.feed(page.content.decode(errors="replace"))
                names |= parser.names
        names.discard("csrfmiddlewaretoken")
        for value in hostile_values(cast):
            for role, client in clients.items():
                check(client, role, url, {param: value for param in names | set(COMMON)})
        # One at a time, so that a refused parameter cannot hide a failing one.
        first_role, first_client = next(iter(clients.items()))
        for param in sorted(names):
            for value in SINGLE:
                check(first_client, first_role, url, {param: value})
    assert not failures, "\n".join(failures[:20])
