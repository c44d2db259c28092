"""The authorization matrix for ids in request bodies.

tests/test_authorization.py sends foreign ids in URLs; this test sends them in the body.
It opens every page of the matrix (tests/*/authz.py) as every role that may open it,
finds every POST form and htmx `hx-post` on it, and for every field that carries an id
(partner, product, tier, territory, user, channel manager...) posts the form as the page
filled it, with that one field set to an id the role must not use: another partner's,
another channel manager's partner, a partner user where a manager is expected, or an id
that does not exist here (the other tenant's rows live in its own schema, so its ids
resolve to nothing or to someone else's row: both must be refused). Every such request
must be refused with nothing written: every table of the vendor's schema is
fingerprinted before and after.

A control proves the test can fail: posting a form with an id the role *may* use writes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse

from tests.authz import OK, TENANT_ROLES
from tests.test_authorization import (
    TENANT_EXPECTATIONS,
    TENANT_URLCONF,
    _expects,
    _tenant_client,
)

ID_FIELD = re.compile(
    r"(^|[-_])(partner|partners|product|tier|tiers|territory|territories|user|member|"
    r"channel_manager|from_manager|to_manager|manager|owner|registered_by|reviewed_by)$"
)
MISSING = "987654321"  # no row has it here; stands for an id of the other tenant
SKIP_ACTIONS = ("/logout/", "/i18n/")
#: Rows written by any logged-in request, not by the form: sessions and login records.
IGNORED_TABLES = ("django_session", "axes_")


def _filler(name: str, kind: str) -> str:
    """A plausible value for an empty field, so that the foreign id is what is wrong."""
    if kind == "hidden" or re.search(r"-[1-9]\d*-", name):
        return ""  # hidden fields keep their value; formsets' extra rows stay empty
    if kind == "email" or "email" in name:
        return "body.test@example.com"
    if kind == "date" or name.endswith(("_date", "_until", "_on")):
        return "2031-03-01"
    if kind == "number" or name.endswith(("quantity", "rank", "amount", "_reps")):
        return "1"
    if "countr" in name:
        return "US"
    if "currency" in name:
        return "USD"
    if "domain" in name:
        return "body-test.example"
    return "Body test"


class _Forms(HTMLParser):
    """POST forms (action, {name: [values]}) and hx-post targets of one page."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.current: dict[str, list[str]] | None = None
        self.select: str | None = None
        self.first_option: dict[str, str] = {}
        self.datalist: str | None = None
        self.datalist_first: dict[str, str] = {}  # a <datalist>'s id -> its first option
        self.in_template = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # A <template>'s content is inert: browsers neither show nor submit it.
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "datalist":
            self.datalist = attrs.get("id")
        elif tag == "option" and self.datalist and attrs.get("value"):
            self.datalist_first.setdefault(self.datalist, attrs["value"])
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = {}
            self.forms.append((attrs.get("action") or self.page_url, self.current))
            return
        if attrs.get("hx-post"):
            self.forms.append((attrs["hx-post"], {}))
        if self.current is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                self.current.setdefault(name, [])
                if attrs.get("value"):
                    self.first_option.setdefault(name, attrs["value"])
                return
            if kind in ("submit", "button", "file"):
                return
            value = attrs.get("value") or _filler(name, kind)
            # A typed choice offered by a list (the deal form's product): what a person
            # picks is the list's first entry, as with a select's first option.
            if attrs.get("list") in self.datalist_first and not attrs.get("value"):
                value = "" if re.search(r"-[1-9]\d*-", name) else self.datalist_first[attrs["list"]]
            self.current.setdefault(name, []).append(value)
        elif tag == "select" and name:
            self.select = name
            self.current.setdefault(name, [])
        elif tag == "option" and self.select:
            value = attrs.get("value") or ""
            if "selected" in attrs and value:
                self.current[self.select].append(value)
            elif value and not re.search(r"-[1-9]\d*-", self.select):
                self.first_option.setdefault(self.select, value)
        elif tag == "textarea" and name:
            self.current.setdefault(name, []).append(_filler(name, "textarea"))

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1
        elif tag == "datalist":
            self.datalist = None
        elif tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table in the current schema."""
    schema = connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [schema],
        )
        tables = [name for (name,) in cursor.fetchall() if not name.startswith(IGNORED_TABLES)]
        parts = [
            f"SELECT '{name}', md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)),"
            f' \'\')) FROM "{schema}"."{name}" t'
            for name in tables
        ]
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def foreign_values(cast, role: str, field: str) -> list[str]:
    """Ids `role` must not put into `field`."""
    own_side_a = role in ("partner_a_admin", "rep_a1", "cm_a")
    other_partner = cast.partner_b if own_side_a else cast.partner_a
    other_user = cast.rep_b if own_side_a else cast.rep_a1
    kind = ID_FIELD.search(field).group(2)
    if kind in ("partner", "partners"):
        return [MISSING] if role == "vendor_admin" else [str(other_partner.pk), MISSING]
    if kind in ("user", "member", "owner", "registered_by", "reviewed_by"):
        return [str(other_user.pk), MISSING]
    if kind.endswith("manager"):
        # A partner user is never a channel manager.
        return [str(other_user.pk), str(cast.rep_a1.pk), MISSING]
    return [MISSING]


def _get_expect(name: str):
    """The page's GET expectation (API operations are JSON: no forms to walk)."""
    if name.startswith("api:"):
        return None
    return next((e for e in _expects(TENANT_EXPECTATIONS[name]) if e.method == "get"), None)


def _pages():
    for name in sorted(TENANT_EXPECTATIONS):
        expect = _get_expect(name)
        if expect is None or name in ("login", "password_reset", "partners:apply", "health"):
            continue
        roles = [r for r in TENANT_ROLES if expect.answers.get(r) == OK and r != "anonymous"]
        if roles:
            yield name, roles


def _body(fields: dict[str, list[str]], first_option: dict[str, str]) -> dict[str, list[str]]:
    body = {}
    for name, values in fields.items():
        if values:
            body[name] = values
        elif name in first_option:
            body[name] = [first_option[name]]
    return body


@pytest.fixture
def choices(cast, acme):
    """A tier, a territory and a product, so that every select has something to choose."""
    from deals.models import Product
    from partners.models import Territory, Tier

    Tier.objects.create(name="Body tier", rank=7, discount_percent=1)
    Territory.objects.create(name="Body territory", countries=["US"], channel_manager=cast.cm_a)
    Product.objects.create(vendor_sku="BODY-0", name="Body product", list_price=10)


@pytest.mark.parametrize(("name", "roles"), list(_pages()), ids=lambda v: str(v))
def test_it_refuses_foreign_ids_in_form_bodies(name, roles, cast, acme, choices, client_for):
    expect = _get_expect(name)
    url = reverse(name, urlconf=TENANT_URLCONF, kwargs=expect.kwargs(cast))
    problems = []
    for role in roles:
        client = _tenant_client(client_for, cast, role)
        page = client.get(url)
        if page.status_code != OK or not page["Content-Type"].startswith("text/html"):
            continue
        parser = _Forms(url)
        parser.feed(page.content.decode())
        for action, fields in parser.forms:
            if action.startswith(SKIP_ACTIONS):
                continue
            body = _body(fields, parser.first_option)
            for field in [f for f in body if ID_FIELD.search(f)]:
                for value in foreign_values(cast, role, field):
                    before = fingerprint()
                    response = client.post(action, {**body, field: value})
                    changed = [t for t, digest in fingerprint().items() if before.get(t) != digest]
                    if response.status_code >= 500 or changed:
                        problems.append(
                            f"{role} POST {action} {field}={value}: "
                            f"{response.status_code}, wrote {changed}"
                        )
    assert not problems, "\n".join(problems)


def _posted_as_found(client, url):
    parser = _Forms(url)
    parser.feed(client.get(url).content.decode())
    action, fields = next((a, f) for a, f in parser.forms if not a.startswith(SKIP_ACTIONS))
    before = fingerprint()
    client.post(action, _body(fields, parser.first_option))
    return [t for t, digest in fingerprint().items() if before.get(t) != digest]


def test_it_fills_forms_well_enough_to_write(cast, acme, choices, client_for):
    """The control: the same forms, filled the same way but with ids the role may use,
    do write, and the fingerprint notices; so a refusal above is the foreign id's doing."""
    assert "deals_deal" in _posted_as_found(client_for(cast.rep_a1), "/deals/new/")
    assert "reporting_skualias" in _posted_as_found(client_for(cast.cm_a), "/reports/aliases/")
    assert "channels_territory" in _posted_as_found(
        client_for(cast.vendor_admin), "/workspace/territories/"
    )
