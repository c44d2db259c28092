"""A crawler: every role follows every link, htmx URL and GET form it can reach on a
realistic data set, then every URL found is replayed as each other role, as the other
vendor's users (their session cookies sent to acme's host) and anonymously.

It needs no list of pages, so each new page, filter, download and htmx partial reachable
by a link is covered when it lands. A replayed URL must answer 200, 302, 403 or 404 (never
a server error) and, when it answers 200, must not contain data the replaying role may not
see (docs/product-rules.md, Visibility): "markers" are strings only one partner's rows produce
(its name, people, deal customers, invoice numbers, end customers); a rep's deal customer
is a marker for the rep's colleague too. CSV and XLSX downloads are read the same way.

Every request also runs under django-zeal: a page that loads related rows one by one (an
N+1) fails the test with the model, field and line that did it.
"""

from __future__ import annotations

import io
import re
import time
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

MAX_PAGES_PER_ROLE = 80
MAX_URLS_PER_PATTERN = 3
SKIP_PREFIXES = ("/logout/", "/i18n/", "/admin/", "/static/", "/media/", "/password/")
SAFE_ANSWERS = {200, 302, 403, 404}


# --- N+1 detection -----------------------------------------------------------------------


@pytest.fixture
def zeal(settings):
    """django-zeal's model patches (inert outside `zeal_context()`), applied once."""
    import zeal.patch
    from zeal.constants import ALL_APPS, initialize_app_registry

    if "zeal" not in settings.INSTALLED_APPS and not getattr(zeal.patch, "_prm_patched", False):
        initialize_app_registry()
        zeal.patch.patch()
        zeal.patch._prm_patched = True
    assert ALL_APPS or "zeal" in settings.INSTALLED_APPS
    settings.ZEAL_RAISE = False
    settings.ZEAL_SHOW_ALL_CALLERS = False
    N_PLUS_ONES.clear()
    return zeal


# --- The data every role crawls ----------------------------------------------------------


@dataclass
class Data:
    markers_a: list[str]  # strings only partner A's rows produce
    markers_b: list[str]
    rep_a1_only: list[str]  # rep_a1's registrations (their colleague rep_a2 must not see)
    rep_a2_only: list[str]


def _report(invoice: str, end_customer: str, *, bad_invoice: str) -> str:
    """A small sales report: three good lines and a row the import reports as an error."""
    return (
        "Invoice Number,Invoice Date,End Customer,SKU,Quantity,Unit Price,Currency\n"
        f"{invoice}-1,2026-09-01,{end_customer},CRW-SW,2,1200.00,USD\n"
        f"{invoice}-2,2026-09-02,{end_customer},CRW-AP,3,450.00,USD\n"
        f"{bad_invoice},2026-09-03,{end_customer},NO-SUCH-SKU,1,10.00,USD\n"
        f"{invoice}-3,2026-09-04,{end_customer},CRW-SW,1,1200.00,USD\n"
    )


def build_data(cast) -> Data:
    """Deals of both partners (a conflicting pair, a draft, an approved one), an imported
    report for each partner with lines and errors, and the figures analytics shows."""
    from deals import services as deal_services
    from deals.models import DealConflict, Product
    from reporting import services as report_services
    from reporting.analytics.models import ExchangeRate
    from reporting.models import SalesLine

    # partner_b's deals are in EUR, priced from the USD catalogue at this rate.
    ExchangeRate.objects.get_or_create(
        currency="EUR", quote_currency="USD", valid_from=date(2020, 1, 1), rate=Decimal("1.10")
    )
    products = {
        sku: Product.objects.create(vendor_sku=sku, name=name, list_price=Decimal(price))
        for sku, name, price in [
            ("CRW-SW", "Crawler switch", "1200.00"),
            ("CRW-AP", "Crawler access point", "450.00"),
        ]
    }

    def register(user, customer, domain, *, submit=True):
        deal = deal_services.deal_create(
            user=user,
            data=deal_services.DealInput(
                customer_name=customer,
                customer_domain=domain,
                customer_country="US",
                contact_name="Dana Buyer",
                expected_close_date=date.today() + timedelta(days=60),
            ),
            lines=[deal_services.LineInput(product_id=products["CRW-SW"].pk, quantity=2)],
        )
        if submit:
            deal = deal_services.deal_submit(
                user=user, deal_id=deal.pk, expected_version=deal.version
            )
        deal.refresh_from_db()
        return deal

    # The conflicting pair: one customer registered by a rep of each partner.
    register(cast.rep_a1, "Blue Harbor Logistics Inc.", "blue-harbor.com")
    register(cast.rep_b, "Blue Harbour Logistics GmbH", "blue-harbor.com")
    assert DealConflict.objects.exists(), "the pair should conflict"
    register(cast.rep_a1, "Kestrel Freight Draftworks", "kestrel-freight.com", submit=False)
    approved = register(cast.rep_a2, "Quillon Aerospace Partners", "quillon-aero.com")
    deal_services.deal_approve(
        user=cast.cm_a, deal_id=approved.pk, expected_version=approved.version
    )
    register(cast.partner_a_admin, "Marrowby Dental Clinics", "marrowby.com")
    register(cast.partner_b_admin, "Zellerfeld Brauerei AG", "zellerfeld.de")

    for admin, invoice, customer, bad in [
        (cast.partner_a_admin, "INV-ARD-7001", "Ardmore Endco Holdings", "INV-ARD-BAD9"),
        (cast.partner_b_admin, "RE-BERG-9001", "Bodensee Endkunde KG", "RE-BERG-BAD9"),
    ]:
        body = _report(invoice, customer, bad_invoice=bad).encode()
        upload = report_services.upload_receive(
            user=admin, uploaded_file=SimpleUploadedFile(f"{invoice}.csv", body)
        )
        upload = report_services.upload_process(upload_id=upload.pk)
        assert SalesLine.objects.filter(upload=upload).count() == 3, upload.message
        assert upload.error_rows == 1, upload.message

    # The figures a dashboard reads are refreshed by a task once the import commits.
    from reporting.analytics import services as analytics

    analytics.refresh_all()
    analytics.reconcile_all()

    return Data(
        markers_a=[
            cast.partner_a.name,
            cast.partner_a_admin.email,
            cast.rep_a1.email,
            cast.rep_a2.email,
            "Blue Harbor Logistics Inc.",
            "Kestrel Freight",
            "Quillon Aerospace",
            "Marrowby Dental",
            "INV-ARD-",
            "Ardmore Endco",
        ],
        markers_b=[
            cast.partner_b.name,
            cast.partner_b_admin.email,
            cast.rep_b.email,
            "Blue Harbour Logistics GmbH",
            "Zellerfeld Brauerei",
            "RE-BERG-",
            "Bodensee Endkunde",
        ],
        rep_a1_only=["Blue Harbor Logistics Inc.", "Kestrel Freight"],
        rep_a2_only=["Quillon Aerospace"],
    )


def forbidden_markers(data: Data) -> dict[str, list[str]]:
    """What each role must never see in a 200 answer."""
    everything = data.markers_a + data.markers_b
    return {
        "vendor_admin": [],
        "cm_a": data.markers_b,
        "cm_b": data.markers_a,
        "partner_a_admin": data.markers_b,
        "rep_a1": data.markers_b + data.rep_a2_only,
        "rep_a2": data.markers_b + data.rep_a1_only,
        "partner_b_admin": data.markers_a,
        "rep_b": data.markers_a,
        "anonymous": everything,
        "globex_admin": everything,
        "globex_partner_admin": everything,
    }


# --- Crawling ----------------------------------------------------------------------------


class Links(HTMLParser):
    """Same-host hrefs of links, htmx GET URLs and the actions of GET forms (with their
    default fields). htmx URLs are marked so they are requested as htmx requests."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, bool]] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("hx-get"):
            self.found.append((attrs["hx-get"], True))
        if tag == "a" and attrs.get("href"):
            self.found.append((attrs["href"], False))
        elif tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = {"action": attrs.get("action") or "", "fields": []}
        elif tag in ("input", "select") and self._form is not None and attrs.get("name"):
            if attrs.get("type") not in ("submit", "button", "checkbox", "radio"):
                self._form["fields"].append(f"{attrs['name']}={attrs.get('value') or ''}")

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            query = "&".join(self._form["fields"])
            self.found.append((self._form["action"] + (f"?{query}" if query else ""), False))
            self._form = None


def crawlable(base: str, href: str) -> str | None:
    url = urljoin(base, href.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or path.startswith(SKIP_PREFIXES):
        return None
    return path


def body_text(response) -> str:
    """What a person would read: HTML or CSV text, or the strings inside an XLSX."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:2] == b"PK":  # an Office file: the text is in the XML parts of the zip
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", errors="replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return raw.decode("utf-8", errors="replace")


#: N+1s seen by any request of the test: "model.field at file:line" -> the first URL.
N_PLUS_ONES: dict[str, str] = {}


def get(client, url: str, *, htmx: bool = False):
    """One GET under zeal (ZEAL_RAISE off: every N+1 of the page is recorded, not just the
    first); returns the response and its readable text."""
    from zeal import zeal_context

    headers = {"HX-Request": "true"} if htmx else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with zeal_context():
            response = client.get(url, headers=headers)
            body = body_text(response) if response.status_code == 200 else ""
    for warning in caught:
        message = str(warning.message)
        if message.startswith("N+1 detected"):
            N_PLUS_ONES.setdefault(message, f"{url}{' (htmx)' if htmx else ''}")
    return response, body


Visit = tuple[str, bool]  # (path, as an htmx request)


def crawl(client) -> set[Visit]:
    """Breadth-first from the home page; at most a few URLs per URL pattern."""
    seen: set[Visit] = set()
    per_pattern: dict[tuple[str, bool], int] = defaultdict(int)
    queue: list[Visit] = [("/", False)]
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path, htmx = queue.pop(0)
        if (path, htmx) in seen:
            continue
        try:
            match = resolve(urlsplit(path).path, urlconf="prm.urls")
        except Resolver404:
            continue
        if per_pattern[match.view_name, htmx] >= MAX_URLS_PER_PATTERN:
            continue
        per_pattern[match.view_name, htmx] += 1
        seen.add((path, htmx))
        response, body = get(client, path, htmx=htmx)
        assert response.status_code in SAFE_ANSWERS, f"{path} answered {response.status_code}"
        if response.status_code == 302:
            target = crawlable(path, response["Location"])
            if target:
                queue.append((target, False))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(body)
        queue.extend(
            (t, as_htmx)
            for t, as_htmx in ((crawlable(path, href), as_htmx) for href, as_htmx in parser.found)
            if t
        )
    return seen


#: By design (deals app, tests/deals/test_browser_journey.py) a CM reviewing a registration
#: sees the rival registration it conflicts with - customer, partner, status - even when
#: that partner is another CM's: deciding a channel conflict needs it. Only those rows of
#: the conflict panel are exempt, and only for CMs; partner users never see the panel.
CONFLICT_READERS = ("cm_a", "cm_b")
CONFLICT_ROW = re.compile(r'<tr data-testid="conflict">.*?</tr>', re.DOTALL)

CRAWLERS = (
    "vendor_admin",
    "cm_a",
    "cm_b",
    "partner_a_admin",
    "rep_a1",
    "rep_a2",
    "partner_b_admin",
    "rep_b",
)
OUTSIDERS = ("globex_admin", "globex_partner_admin")  # the other vendor's session cookies
REPLAYERS = (*CRAWLERS, "anonymous", *OUTSIDERS)


def client_as(role, cast, client_for):
    if role == "anonymous":
        return client_for(None)
    if role in OUTSIDERS:
        return client_for(getattr(cast, role), tenant=cast.globex, host="acme.localhost")
    return client_for(cast.users()[role])


def test_it_shows_every_role_only_what_it_may_see(cast, acme, client_for, zeal, private_media):
    """One test, so the data and the crawl (the slow parts) are built once."""
    started = time.monotonic()
    data = build_data(cast)
    markers = forbidden_markers(data)
    # A role's own markers must show up somewhere, or the check below proves nothing.
    own = {
        "partner_a_admin": data.markers_a,
        "partner_b_admin": data.markers_b,
        "vendor_admin": data.markers_a + data.markers_b,
    }
    crawled: dict[str, set[Visit]] = {}
    for role in CRAWLERS:
        crawled[role] = crawl(client_as(role, cast, client_for))
        assert len(crawled[role]) >= 2, f"{role} reached only {crawled[role]}"

    all_visits = sorted({visit for visits in crawled.values() for visit in visits})
    downloads = [path for path, _ in all_visits if path.endswith((".csv", ".xlsx"))]
    assert downloads, "the crawl should reach the error reports and exports"
    assert any(htmx for _, htmx in all_visits), "the crawl should reach htmx partials"

    print(
        f"crawled {len(all_visits)} URLs ({len(downloads)} downloads, "
        f"{sum(htmx for _, htmx in all_visits)} htmx):",
        *all_visits,
        sep="\n  ",
    )
    wrong: dict[str, object] = {}
    seen_markers: dict[str, set[str]] = defaultdict(set)
    for role in REPLAYERS:
        client = client_as(role, cast, client_for)
        forbidden = markers[role]
        for path, htmx in all_visits:
            response, body = get(client, path, htmx=htmx)
            where = f"{role} {path}{' (htmx)' if htmx else ''}"
            if response.status_code not in SAFE_ANSWERS:
                wrong[where] = response.status_code
            elif response.status_code == 200:
                if role in CONFLICT_READERS:
                    body = CONFLICT_ROW.sub("", body)
                found = [marker for marker in forbidden if marker in body]
                if found:
                    wrong[where] = found
                seen_markers[role].update(m for m in own.get(role, []) if m in body)
    assert not wrong, (
        f"URLs found by crawling ({len(all_visits)}) that answered a role wrongly: {wrong}"
    )
    for role, expected in own.items():
        missing = set(expected) - seen_markers[role]
        assert not missing, f"{role} never saw its own {missing}: the data set is not reached"
    assert not N_PLUS_ONES, "N+1 queries (first URL that showed each):\n" + "\n".join(
        f"{url}: {message}" for message, url in N_PLUS_ONES.items()
    )
    assert time.monotonic() - started < 120, "keep the crawler fast"


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploaded reports go to this test's folder (see tests/reporting/conftest.py)."""
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = tmp_path / "media"
    storages["default"].__dict__.pop("relative_media_root", None)
    yield settings.MEDIA_ROOT
    storages["default"].__dict__.pop("relative_media_root", None)
