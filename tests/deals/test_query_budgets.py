"""The deal list and the review queue a page at a time, the deal form's one catalogue read,
and the suite's N+1 check (tests/zeal_plugin.py) itself."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from deals import views
from deals.models import Deal

SMALL_PAGE = 3
DEAL_LINK = re.compile(r'<a href="/deals/(\d+)/">')


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", SMALL_PAGE)
    return SMALL_PAGE


def _deals_on(page: str) -> list[int]:
    return [int(pk) for pk in DEAL_LINK.findall(page)]


def _register_many(register, user, count: int, *, start: int = 0) -> list[Deal]:
    """`count` unrelated deals (distinct customers, so no conflicts), oldest first."""
    deals = [
        register(user, f"Paged Customer {n}", domain=f"paged-{n}.example", skus=("AP-7",))
        for n in range(start, start + count)
    ]
    now = timezone.now()
    for age, deal in enumerate(reversed(deals), start=1):
        Deal.objects.filter(pk=deal.pk).update(
            submitted_at=now - timedelta(days=age), created_at=now - timedelta(days=age)
        )
    return deals


def test_it_shows_a_page_of_deals_and_a_link_to_the_next(
    cast, acme, register, client_for, small_pages
):
    deals = _register_many(register, cast.rep_a1, small_pages + 1)
    client = client_for(cast.partner_a_admin)

    first = client.get("/deals/").content.decode()
    second = client.get("/deals/?page=2").content.decode()

    newest_first = [deal.pk for deal in reversed(deals)]
    assert _deals_on(first) == newest_first[:small_pages]
    assert 'href="?page=2" rel="next"' in first
    assert _deals_on(second) == newest_first[small_pages:]
    assert 'href="?page=1" rel="prev"' in second and 'rel="next"' not in second


def test_it_keeps_the_status_filter_in_the_page_links(
    cast, acme, register, client_for, small_pages
):
    _register_many(register, cast.rep_a1, small_pages + 1)
    register(cast.rep_a1, "Draft Only Ltd", domain="draft-only.example", submit=False)

    page = client_for(cast.partner_a_admin).get("/deals/?status=submitted").content.decode()

    assert 'href="?status=submitted&amp;page=2" rel="next"' in page
    assert "Draft Only Ltd" not in page


def test_it_answers_htmx_with_the_results_fragment(cast, acme, register, client_for, small_pages):
    _register_many(register, cast.rep_a1, small_pages + 1)
    client = client_for(cast.cm_a)

    for url in ("/deals/?page=2", "/deals/review/?page=2"):
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()

        assert fragment.lstrip().startswith('<div id="'), url
        assert "<html" not in fragment and 'rel="prev"' in fragment, url
        assert len(_deals_on(fragment)) == 1, url


def test_it_shows_the_review_queue_a_page_at_a_time_oldest_first(
    cast, acme, register, client_for, small_pages
):
    deals = _register_many(register, cast.rep_a1, small_pages + 1)
    client = client_for(cast.cm_a)

    first = client.get("/deals/review/").content.decode()
    second = client.get("/deals/review/?page=2").content.decode()

    oldest_first = [deal.pk for deal in deals]
    assert _deals_on(first) == oldest_first[:small_pages]
    assert 'href="?page=2" rel="next"' in first
    assert _deals_on(second) == oldest_first[small_pages:]


@pytest.mark.parametrize("url", ["/deals/", "/deals/review/"])
def test_it_keeps_page_queries_constant_as_deals_grow(
    url, cast, acme, register, client_for, small_pages
):
    client = client_for(cast.vendor_admin)
    _register_many(register, cast.rep_a1, 1)
    client.get(url)  # warm caches (vendor, session, content types)
    with CaptureQueriesContext(connection) as one_deal:
        client.get(url)
    _register_many(register, cast.rep_b, 2 * small_pages, start=1)
    with CaptureQueriesContext(connection) as many:
        client.get(f"{url}?page=2")

    # 14: the rate table is read once per page (values in the reporting currency for staff).
    assert len(many) == len(one_deal) <= 14, [q["sql"] for q in many.captured_queries]


def _catalogue_reads(queries) -> int:
    return sum('FROM "deals_product"' in query["sql"] for query in queries.captured_queries)


def test_it_reads_the_catalogue_once_for_every_product_row(cast, acme, catalogue, client_for):
    client = client_for(cast.rep_a1)
    client.get("/deals/new/")
    with CaptureQueriesContext(connection) as blank:
        page = client.get("/deals/new/").content.decode()
    form = {
        "customer_name": "Two Lines Ltd",
        "contact_name": "Dana Buyer",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": catalogue["SW-24"].vendor_sku,
        "lines-0-quantity": "1",
        "lines-1-product": catalogue["AP-7"].vendor_sku,
        # no quantity: the form comes back with the error, rendered again
        "lines-2-product": catalogue["SW-48"].vendor_sku,
    }
    with CaptureQueriesContext(connection) as refused:
        again = client.post("/deals/new/", form).content.decode()

    # The catalogue is listed once for the page (a datalist every row's input points to).
    assert page.count('<option value="{}"'.format(escape(str(catalogue["AP-7"])))) == 1
    assert _catalogue_reads(blank) == 1
    assert "Enter a quantity for this product." in again
    assert 'name="lines-2-product" value="SW-48"' in again
    assert _catalogue_reads(refused) == 1


def test_it_saves_several_products_and_prefills_them_from_one_read(
    cast, acme, catalogue, client_for
):
    client = client_for(cast.rep_a1)
    response = client.post(
        "/deals/new/",
        {
            "customer_name": "Three Lines Ltd",
            "lines-TOTAL_FORMS": "5",
            "lines-INITIAL_FORMS": "0",
            **{
                f"lines-{n}-product": catalogue[sku].vendor_sku
                for n, sku in enumerate(("SW-24", "SW-48", "AP-7"))
            },
            **{f"lines-{n}-quantity": "2" for n in range(3)},
        },
    )
    deal = Deal.objects.get(customer_name="Three Lines Ltd")
    with CaptureQueriesContext(connection) as edit:
        page = client.get(f"/deals/{deal.pk}/edit/").content.decode()

    assert response.status_code == 302
    assert sorted(deal.lines.values_list("product__vendor_sku", flat=True)) == [
        "AP-7",
        "SW-24",
        "SW-48",
    ]
    for product in catalogue.values():
        # once in the catalogue's datalist, once in the row that holds it
        assert page.count(f'value="{escape(str(product))}"') == 2
    assert _catalogue_reads(edit) == 1


def test_it_refuses_a_product_outside_the_active_catalogue(cast, acme, catalogue, client_for):
    retired = catalogue["SW-48"]
    retired.is_active = False
    retired.save()

    page = (
        client_for(cast.rep_a1)
        .post(
            "/deals/new/",
            {
                "customer_name": "Retired Product Ltd",
                "lines-TOTAL_FORMS": "5",
                "lines-INITIAL_FORMS": "0",
                "lines-0-product": retired.vendor_sku,
                "lines-0-quantity": "1",
            },
        )
        .content.decode()
    )

    assert "“SW-48” is not in the catalogue." in page
    assert not Deal.objects.filter(customer_name="Retired Product Ltd").exists()


# --- The N+1 check of the whole suite (tests/zeal_plugin.py) ------------------------------

#: App code, as far as the check can tell (its file is under deals/): reads each deal's
#: partner one by one.
N_PLUS_ONE = """
def partner_names(deals):
    return [deal.partner.name for deal in deals]
"""


def _app_function(name: str):
    namespace: dict = {}
    exec(compile(N_PLUS_ONE, str(views.__file__).replace("views", "zeal_probe"), "exec"), namespace)
    return namespace[name]


def test_the_suite_fails_app_code_that_loads_rows_one_by_one(cast, acme, register, settings):
    from zeal import NPlusOneError

    settings.ZEAL_RAISE = True
    register(cast.rep_a1, "One Ltd", domain="one.example")
    register(cast.rep_a1, "Two Ltd", domain="two.example")
    partner_names = _app_function("partner_names")

    with pytest.raises(NPlusOneError, match="deals.Deal.partner"):
        partner_names(list(Deal.objects.all()))
    assert len(partner_names(list(Deal.objects.select_related("partner")))) == 2


def test_the_suite_counts_each_call_into_the_app_on_its_own(cast, acme, register, settings):
    settings.ZEAL_RAISE = True
    partner_names = _app_function("partner_names")
    deals = [register(cast.rep_a1, f"Single {n}", domain=f"single-{n}.example") for n in range(3)]

    for deal in deals:  # the loop is the test's: one row per call is no N+1
        assert partner_names(list(Deal.objects.filter(pk=deal.pk)))
