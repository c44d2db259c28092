"""The vendor/CM dashboard and leaderboard: figures equal figures computed from raw rows,
each user sees only their partners, and the query count does not grow with rows."""

from datetime import date
from decimal import Decimal

import pytest

from partners.models import Partner
from reporting.analytics import services
from tests.analytics import figures

PERIOD = {"start": "2026-01", "end": "2026-06"}
START, END = date(2026, 1, 1), date(2026, 6, 1)
PREVIOUS = (date(2025, 7, 1), date(2025, 12, 1))
LAST_YEAR = (date(2025, 1, 1), date(2025, 6, 1))


@pytest.fixture
def reported(cast, sales, products, eur_rate):
    a, b = cast.partner_a, cast.partner_b
    sales.add(a, date(2026, 1, 15), "SW-24", 2, "2400.00")
    sales.add(a, date(2026, 3, 10), "AP-7", 5, "2250.00", end_customer="Contoso")
    sales.add(a, date(2026, 4, 2), "SW-24", -1, "-1200.00")  # a return
    sales.add(a, date(2025, 2, 1), "SW-24", 1, "1200.00")  # same period last year
    sales.add(a, date(2025, 8, 1), "SW-48", 1, "2100.00")  # previous period
    sales.add(b, date(2026, 2, 20), "SW-48", 3, "5000.00", currency="EUR", country="DE")
    sales.add(b, date(2026, 5, 5), "AP-7", 2, "900.00", currency="EUR", country="AT")
    sales.add(b, date(2026, 5, 6), "AP-7", 1, "50000", currency="JPY", country="JP")  # no rate
    sales.add(b, date(2026, 8, 1), "AP-7", 9, "9999.00", currency="EUR")  # after the period
    services.refresh_sales_summaries()
    return sales.written


def test_it_shows_totals_equal_to_the_raw_lines(cast, client_for, reported):
    response = client_for(cast.vendor_admin).get("/analytics/", PERIOD)

    totals = response.context["totals"]
    assert totals.current == figures.total(reported, START, END)
    assert totals.previous == figures.total(reported, *PREVIOUS)
    assert totals.last_year == figures.total(reported, *LAST_YEAR)
    assert totals.unconverted_lines == 1
    assert figures.money(totals.current) in response.content.decode()
    assert "1 line has no exchange rate" in response.content.decode()


def test_it_breaks_sales_down_by_month_product_country_and_partner(cast, client_for, reported):
    context = client_for(cast.vendor_admin).get("/analytics/", PERIOD).context

    by_month = figures.by_key(reported, lambda x: x.invoice_date.replace(day=1), START, END)
    assert {r.month: r.amount for r in context["months"] if r.amount} == by_month
    by_product = figures.by_key(reported, lambda x: x.vendor_sku, START, END)
    assert {r.vendor_sku: r.amount for r in context["products"]} == by_product
    by_country = figures.by_key(reported, lambda x: x.country, START, END)
    assert {r.country: r.amount for r in context["countries"] if r.amount} == by_country
    by_partner = figures.by_key(reported, lambda x: x.partner_id, START, END)
    assert {r.partner_id: r.current for r in context["leaders"]} == by_partner
    assert [r.partner_id for r in context["leaders"]] == [cast.partner_b.pk, cast.partner_a.pk]


def test_it_filters_by_product_and_partner(cast, client_for, reported):
    client = client_for(cast.vendor_admin)
    context = client.get("/analytics/", PERIOD | {"product": "AP-7"}).context
    assert context["totals"].current == figures.total(reported, START, END, sku="AP-7")
    context = client.get("/analytics/", PERIOD | {"partner": cast.partner_a.pk}).context
    assert context["totals"].current == figures.total(
        reported, START, END, partner_ids={cast.partner_a.pk}
    )


def test_it_shows_a_cm_only_their_partners(cast, client_for, reported):
    response = client_for(cast.cm_a).get("/analytics/", PERIOD)

    expected = figures.total(reported, START, END, partner_ids={cast.partner_a.pk})
    assert response.context["totals"].current == expected
    assert [r.partner_id for r in response.context["leaders"]] == [cast.partner_a.pk]
    assert "Bergmann" not in response.content.decode()


def test_it_answers_404_to_a_cm_filtering_by_a_foreign_partner(cast, client_for, reported):
    response = client_for(cast.cm_a).get("/analytics/", {"partner": cast.partner_b.pk})
    assert response.status_code == 404


def test_it_renders_the_filtered_body_as_an_htmx_partial(cast, client_for, reported):
    response = client_for(cast.cm_b).get("/analytics/", PERIOD, HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert "<html" not in body and 'id="analytics-body"' in body
    assert "Bergmann" in body and "Ardent" not in body


def test_it_ranks_every_partner_on_the_leaderboard(cast, client_for, reported):
    response = client_for(cast.vendor_admin).get("/analytics/leaderboard/", PERIOD)

    rows = list(response.context["page"].object_list)
    assert [r.name for r in rows] == ["Bergmann IT GmbH", "Ardent Systems"]
    a = rows[1]
    assert a.previous == figures.total(reported, *PREVIOUS, partner_ids={cast.partner_a.pk})
    assert a.last_year == figures.total(reported, *LAST_YEAR, partner_ids={cast.partner_a.pk})
    assert a.growth == ((a.current - a.previous) * 100 / a.previous).quantize(Decimal("0.1"))


def test_it_keeps_the_query_count_flat_as_rows_grow(
    cast, client_for, reported, sales, django_assert_max_num_queries
):
    client = client_for(cast.vendor_admin)
    with django_assert_max_num_queries(40) as few:
        client.get("/analytics/", PERIOD)
    for n in range(30):
        partner = Partner.objects.create(
            name=f"Extra {n}", slug=f"extra-{n}", country="FR", channel_manager=cast.cm_a
        )
        for month in range(1, 7):
            sales.add(partner, date(2026, month, 3), "SW-24", 1, "100", country="FR")
    services.refresh_sales_summaries()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/analytics/", PERIOD)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/analytics/leaderboard/", PERIOD)


def test_it_keeps_the_tenant_rollup_right_after_refreshing_one_partner(
    cast, client_for, reported, sales
):
    sales.add(cast.partner_a, date(2026, 2, 9), "SW-48", 4, "8400.00", country="CA")
    services.refresh_sales_summaries(partner_ids=[cast.partner_a.pk])
    services.refresh_sales_summaries(partner_ids=[cast.partner_b.pk])
    services.refresh_sales_summaries(partner_ids=[cast.partner_a.pk])  # twice: same figures

    context = client_for(cast.vendor_admin).get("/analytics/", PERIOD).context
    written = sales.written
    assert context["totals"].current == figures.total(written, START, END)
    by_country = figures.by_key(written, lambda x: x.country, START, END)
    assert {r.country: r.amount for r in context["countries"] if r.amount} == by_country
    by_product = figures.by_key(written, lambda x: x.vendor_sku, START, END)
    assert {r.vendor_sku: r.amount for r in context["products"]} == by_product


@pytest.mark.parametrize(
    "url",
    [
        "/analytics/health/",
        "/analytics/reconciliation/?status=",
        "/analytics/export/partners.csv",
        "/analytics/export/findings.xlsx",
        "SCORECARD",
    ],
)
def test_it_keeps_other_pages_flat_as_rows_grow(
    cast, client_for, reported, sales, url, django_assert_max_num_queries
):
    from reporting.analytics.models import FindingKind, ReconciliationFinding

    url = url.replace("SCORECARD", f"/analytics/partners/{cast.partner_a.pk}/")
    client = client_for(cast.vendor_admin)

    def grow(n):
        for i in range(n):
            partner = Partner.objects.create(
                name=f"Grow {n} {i}", slug=f"grow-{n}-{i}", country="FR", channel_manager=cast.cm_a
            )
            sales.add(partner, date(2026, 3, 3), "SW-24", 1, "100", country="FR")
            ReconciliationFinding.objects.create(
                kind=FindingKind.UNREGISTERED,
                partner=partner,
                customer_key=f"c{n}{i}",
                end_customer=f"Customer {n} {i}",
            )
        services.refresh_sales_summaries()

    grow(2)
    with django_assert_max_num_queries(60) as few:
        client.get(url, PERIOD)
    grow(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, PERIOD)


def test_it_follows_a_reassignment_before_the_rollup_is_rebuilt(cast, client_for, reported):
    # A bulk reassignment (no signal): the rollup still files partner A under cm_a.
    Partner.objects.filter(pk=cast.partner_a.pk).update(channel_manager=cast.cm_b)

    a_and_b = figures.total(reported, START, END)
    assert client_for(cast.cm_b).get("/analytics/", PERIOD).context["totals"].current == a_and_b
    assert client_for(cast.cm_a).get("/analytics/", PERIOD).context["totals"].current == 0

    services.refresh_sales_summaries(partner_ids=[cast.partner_a.pk])  # what gets queued
    from prm.accounts.models import User
    from reporting.analytics.selectors import Filters, Period, rollup_scope

    cm_b = User.objects.get(pk=cast.cm_b.pk)  # a fresh object: the check is memoised on it
    assert rollup_scope(cm_b, Filters(period=Period(START, END))) is not None
    assert client_for(cast.cm_b).get("/analytics/", PERIOD).context["totals"].current == a_and_b


def test_it_ranks_partners_anew_once_their_sales_were_refreshed(cast, client_for, reported, sales):
    client = client_for(cast.vendor_admin)
    before = client.get("/analytics/leaderboard/", PERIOD).context["page"].object_list
    assert [r.partner_id for r in before] == [cast.partner_b.pk, cast.partner_a.pk]

    sales.add(cast.partner_a, date(2026, 2, 9), "SW-48", 9, "90000.00")
    services.refresh_sales_summaries(partner_ids=[cast.partner_a.pk])

    for url in ("/analytics/leaderboard/", "/analytics/"):
        response = client.get(url, PERIOD)
        rows = response.context["page"].object_list if "page" in response.context else None
        rows = rows if rows is not None else response.context["leaders"]
        assert [r.partner_id for r in rows] == [cast.partner_a.pk, cast.partner_b.pk]
        by_partner = figures.by_key(sales.written, lambda x: x.partner_id, START, END)
        assert {r.partner_id: r.current for r in rows} == by_partner


def test_the_worker_ranks_partners_again_after_a_refresh_so_no_reader_waits_for_it(
    cast, client_for, reported, sales
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.analytics import tasks
    from reporting.analytics.selectors import Period

    period = Period.last_months(12)  # the pages' default period
    client = client_for(cast.vendor_admin)
    client.get("/analytics/leaderboard/")
    sales.add(cast.partner_a, period.end, "SW-48", 9, "90000.00")
    tasks.refresh_summaries(partner_ids=[cast.partner_a.pk], deals=False)

    with CaptureQueriesContext(connection) as queries:
        rows = client.get("/analytics/leaderboard/").context["page"].object_list
    ranking = [q["sql"] for q in queries if 'FROM "analytics_salesmonth"' in q["sql"]]
    assert ranking == []  # read from the cache the worker filled
    assert rows[0].partner_id == cast.partner_a.pk
    by_partner = figures.by_key(sales.written, lambda x: x.partner_id, period.start, period.end)
    assert {r.partner_id: r.current for r in rows} == by_partner
