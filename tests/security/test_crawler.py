"""A crawler: every role follows every link and GET form it can reach, then every URL
found is replayed as each other role and as the other vendor's user.

It needs no list of pages, so each new page, filter and htmx partial reachable by a link
is covered when it lands. A replayed page must answer 200, 302, 403 or 404 (never a
server error) and, when it answers 200, must not show data the replaying role may not
see: another partner's name or people (product.md: "not even its existence"), or, for an
anonymous visitor and the other vendor's user, anything of this vendor's partners.
"""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

MAX_PAGES_PER_ROLE = 80
MAX_URLS_PER_PATTERN = 3
SKIP_PREFIXES = ("/logout/", "/i18n/", "/admin/", "/static/", "/media/", "/password/")
SAFE_ANSWERS = {200, 302, 403, 404}


class Links(HTMLParser):
    """Same-host hrefs of links and the actions of GET forms (with their default fields)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = {"action": attrs.get("action") or "", "fields": []}
        elif tag in ("input", "select") and self._form is not None and attrs.get("name"):
            if attrs.get("type") not in ("submit", "button", "checkbox", "radio"):
                self._form["fields"].append(f"{attrs['name']}={attrs.get('value') or ''}")

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            query = "&".join(self._form["fields"])
            self.found.append(self._form["action"] + (f"?{query}" if query else ""))
            self._form = None


def crawlable(base: str, href: str) -> str | None:
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path


def crawl(client) -> set[str]:
    """Breadth-first from the home page; at most a few URLs per URL pattern."""
    seen: set[str] = set()
    per_pattern: dict[str, int] = defaultdict(int)
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        try:
            match = resolve(urlsplit(path).path, urlconf="prm.urls")
        except Resolver404:
            continue
        if per_pattern[match.view_name] >= MAX_URLS_PER_PATTERN:
            continue
        per_pattern[match.view_name] += 1
        seen.add(path)
        response = client.get(path)
        assert response.status_code in SAFE_ANSWERS, f"{path} answered {response.status_code}"
        if response.status_code == 302:
            target = crawlable(path, response["Location"])
            if target:
                queue.append(target)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode(errors="replace"))
        queue.extend(t for t in (crawlable(path, h) for h in parser.found) if t)
    return seen


def forbidden_markers(cast) -> dict[str, list[str]]:
    """What each role must never see (strings that only those rows produce)."""
    partner_a = [cast.partner_a.name, cast.partner_a_admin.email, cast.rep_a1.email,
                 cast.rep_a2.email]
    partner_b = [cast.partner_b.name, cast.partner_b_admin.email, cast.rep_b.email]
    everything = partner_a + partner_b
    return {
        "partner_a_admin": partner_b,
        "rep_a1": partner_b,
        "partner_b_admin": partner_a,
        "rep_b": partner_a,
        "anonymous": everything,
        "globex_admin": everything,
    }


CRAWLERS = ("vendor_admin", "cm_a", "cm_b", "partner_a_admin", "rep_a1", "partner_b_admin",
            "rep_b")
REPLAYERS = (*CRAWLERS, "anonymous", "globex_admin")


def client_as(role, cast, client_for):
    if role == "anonymous":
        return client_for(None)
    if role == "globex_admin":
        return client_for(cast.globex_admin, tenant=cast.globex, host="acme.localhost")
    return client_for(cast.users()[role])


def leaks(body: str, markers: list[str]) -> list[str]:
    return [marker for marker in markers if marker in body]


def test_it_shows_every_role_only_what_it_may_see(cast, acme, client_for):
    """One test, so the crawl (the slow part) runs once."""
    markers = forbidden_markers(cast)
    crawled = {role: crawl(client_as(role, cast, client_for)) for role in CRAWLERS}
    for role, urls in crawled.items():
        assert len(urls) >= 2, f"{role} reached only {urls}"

    all_urls = sorted({url for urls in crawled.values() for url in urls})
    wrong = {}
    for role in REPLAYERS:
        client = client_as(role, cast, client_for)
        for url in all_urls:
            response = client.get(url)
            if response.status_code not in SAFE_ANSWERS:
                wrong[f"{role} {url}"] = response.status_code
            elif response.status_code == 200:
                found = leaks(response.content.decode(errors="replace"), markers.get(role, []))
                if found:
                    wrong[f"{role} {url}"] = found
    assert not wrong, (
        f"URLs found by crawling ({len(all_urls)}) that answered a role wrongly: {wrong}"
    )
