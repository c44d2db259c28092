"""The dashboards' partner filter (dashboard, leaderboard, reporting health, exports) is
the reconciliation list's: a select up to 200 partners in scope, typed above (a name, part
of one, a slug or a number), looked up only among the reader's partners. A number outside
the scope answers 404; a name outside it reads exactly as a name nobody has."""

from datetime import date

import pytest

from partners.models import Partner
from reporting.analytics import services
from tests.analytics import figures

PERIOD = {"start": "2026-01", "end": "2026-06"}
START, END = date(2026, 1, 1), date(2026, 6, 1)
PAGES = ["/analytics/", "/analytics/leaderboard/", "/analytics/health/"]


@pytest.fixture
def reported(cast, sales, products):
    sales.add(cast.partner_a, date(2026, 2, 3), "SW-24", 2, "2400.00")
    sales.add(cast.partner_b, date(2026, 3, 4), "AP-7", 4, "1800.00")
    services.refresh_sales_summaries()
    return sales.written


@pytest.fixture
def many_partners(cast, reported, filler_partners):
    """Enough partners of CM A that the filter becomes a text field, two of them with the
    same name (told apart by their slugs)."""
    twins = [
        Partner.objects.create(
            name="Twin Networks", slug=slug, country="US", channel_manager=cast.cm_a
        )
        for slug in ("twin-east", "twin-west")
    ]
    services.refresh_sales_summaries()
    return twins


def _partner_id(response):
    assert response.status_code == 200, response.status_code
    return response.context["filters"].partner_id


def _error(response) -> str:
    body = response.content.decode()
    if 'data-testid="filter-error"' not in body:
        return ""
    return body.split('data-testid="filter-error">', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    "typed", ["Ardent Systems", "ardent systems", "ardent", "Ardent Sys", "ARDENT", "{pk}"]
)
def test_a_cm_finds_their_partner_by_name_slug_or_number(
    cast, client_for, many_partners, page, typed
):
    typed = typed.format(pk=cast.partner_a.pk)

    response = client_for(cast.cm_a).get(page, PERIOD | {"partner": typed})

    assert _partner_id(response) == cast.partner_a.pk
    assert _error(response) == ""
    body = response.content.decode()
    assert '<input type="text" name="partner"' in body and '<select name="partner"' not in body
    assert f'value="{typed}"' in body  # the filter keeps what was typed


def test_the_dashboard_shows_the_typed_partners_figures_only(
    cast, client_for, reported, many_partners
):
    response = client_for(cast.vendor_admin).get("/analytics/", PERIOD | {"partner": "bergmann"})

    assert _partner_id(response) == cast.partner_b.pk
    assert response.context["totals"].current == figures.total(
        reported, START, END, partner_ids={cast.partner_b.pk}
    )
    assert [row.partner_id for row in response.context["leaders"]] == [cast.partner_b.pk]


@pytest.mark.parametrize("page", PAGES)
def test_another_cms_partner_reads_as_unknown_by_name_and_is_404_by_number(
    cast, client_for, many_partners, page
):
    client = client_for(cast.cm_a)

    by_name = client.get(page, PERIOD | {"partner": "Bergmann"})
    nobody = client.get(page, PERIOD | {"partner": "Nobody GmbH"})
    by_slug = client.get(page, PERIOD | {"partner": "bergmann"})
    by_number = client.get(page, PERIOD | {"partner": cast.partner_b.pk})

    # The same answer as for a name nobody has: nothing says the partner exists.
    assert _error(by_name) == "None of your partners matches “Bergmann”."
    assert _error(nobody) == "None of your partners matches “Nobody GmbH”."
    assert _error(by_slug) == "None of your partners matches “bergmann”."
    assert _partner_id(by_name) is None and "Bergmann IT GmbH" not in by_name.content.decode()
    assert by_number.status_code == 404


def test_a_vendor_admin_finds_any_partner_of_the_vendor(cast, client_for, many_partners):
    response = client_for(cast.vendor_admin).get("/analytics/", PERIOD | {"partner": "Bergmann"})

    assert _partner_id(response) == cast.partner_b.pk


def test_another_vendors_partner_and_an_unknown_number_are_unknown_to_a_vendor_admin(
    cast, client_for, many_partners
):
    client = client_for(cast.vendor_admin)

    by_name = client.get("/analytics/", PERIOD | {"partner": "Contoso"})
    # Numbers are per vendor: one no partner of Acme has is a 404.
    unknown = Partner.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    by_number = client.get("/analytics/", PERIOD | {"partner": unknown})

    assert _error(by_name) == "None of your partners matches “Contoso”."
    assert by_number.status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_a_name_several_partners_hold_lists_them_and_filters_nothing(
    cast, client_for, many_partners, page
):
    response = client_for(cast.cm_a).get(page, PERIOD | {"partner": "Filler"})

    listed = ", ".join(f"Filler Reseller {n:03d} (filler-{n:03d})" for n in range(5))
    assert _error(response) == (
        f"Several partners match “Filler”: {listed}, …. "
        "Type the slug in brackets, or more of the name."
    )
    assert _partner_id(response) is None  # the whole scope, as the page said


def test_two_partners_of_one_name_are_told_apart_by_slug(cast, client_for, many_partners):
    client = client_for(cast.cm_a)
    east, west = many_partners

    same_name = client.get("/analytics/", PERIOD | {"partner": "twin networks"})
    by_slug = client.get("/analytics/", PERIOD | {"partner": "twin-west"})

    assert _error(same_name) == (
        "Several partners match “twin networks”: Twin Networks (twin-east), "
        "Twin Networks (twin-west). Type the slug in brackets, or more of the name."
    )
    assert _partner_id(by_slug) == west.pk


def _match_links(response) -> dict[str, str]:
    """The partners the page offers after a name several hold: link text -> href."""
    import re
    from html import unescape

    body = response.content.decode()
    if 'data-testid="filter-matches"' not in body:
        return {}
    nav = body.split('data-testid="filter-matches"', 1)[1].split("</nav>", 1)[0]
    return {
        unescape(text): unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    }


@pytest.mark.parametrize("page", [*PAGES, "/analytics/reconciliation/"])
def test_the_partners_a_name_matches_are_links_that_filter_by_each(
    cast, client_for, many_partners, page
):
    client = client_for(cast.cm_a)
    east, west = many_partners

    response = client.get(page, PERIOD | {"partner": "twin networks", "page": "3"})
    links = _match_links(response)
    followed = client.get(page + links["Twin Networks (twin-west)"])

    assert list(links) == ["Twin Networks (twin-east)", "Twin Networks (twin-west)"]
    assert "partner=twin-west" in links["Twin Networks (twin-west)"]
    assert "start=2026-01" in links["Twin Networks (twin-west)"]  # the other filters stay
    assert "page=" not in links["Twin Networks (twin-west)"]  # a new list starts at its top
    assert followed.status_code == 200
    assert followed.context["form"].cleaned_data["partner"] == west
    assert _error(followed) == "" and _match_links(followed) == {}


def test_a_name_nobody_has_offers_no_links(cast, client_for, many_partners):
    response = client_for(cast.cm_a).get("/analytics/", PERIOD | {"partner": "Contoso"})

    assert _error(response) == "None of your partners matches “Contoso”."
    assert _match_links(response) == {}


def test_the_export_follows_the_typed_partner(cast, client_for, many_partners):
    client = client_for(cast.cm_a)

    typed = client.get("/analytics/export/partners.csv", PERIOD | {"partner": "Ardent"})
    foreign = client.get("/analytics/export/partners.csv", PERIOD | {"partner": cast.partner_b.pk})

    rows = typed.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "Ardent Systems" in rows[1]
    assert foreign.status_code == 404


def test_up_to_200_partners_the_select_also_reads_a_typed_slug(cast, client_for, reported):
    client = client_for(cast.cm_b)

    picked = client.get("/analytics/", PERIOD | {"partner": cast.partner_b.pk})
    by_slug = client.get("/analytics/", PERIOD | {"partner": "bergmann"})
    foreign = client.get("/analytics/", PERIOD | {"partner": "ardent"})

    assert '<select name="partner"' in picked.content.decode()
    assert f'<option value="{cast.partner_b.pk}" selected>' in picked.content.decode()
    assert _partner_id(picked) == _partner_id(by_slug) == cast.partner_b.pk
    assert _error(foreign) == "None of your partners matches “ardent”."


def test_the_error_comes_with_the_htmx_body(cast, client_for, many_partners):
    response = client_for(cast.cm_a).get(
        "/analytics/", PERIOD | {"partner": "Bergmann"}, HTTP_HX_REQUEST="true"
    )

    assert "<html" not in response.content.decode()
    assert _error(response) == "None of your partners matches “Bergmann”."
