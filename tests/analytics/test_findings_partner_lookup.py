"""Above 200 partners in scope the reconciliation list's partner filter is typed, not
picked from thousands of options: a name, a slug or the number links carry, looked up
only among the reader's partners."""

import pytest

from tests.analytics.test_findings_list import make_finding


@pytest.fixture
def many_partners(cast, filler_partners):
    """Enough partners of CM A that the filter becomes a text field."""
    make_finding(cast.partner_a, end_customer="Ardent's customer")
    make_finding(cast.partner_b, end_customer="Bergmann's customer")


def _customers(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    return sorted(f.end_customer for f in response.context["page"].object_list)


@pytest.mark.parametrize("typed", ["Ardent Systems", "ardent systems", "ardent", "Ardent Sys"])
def test_a_cm_finds_a_partner_by_name_or_slug(cast, client_for, many_partners, typed):
    client = client_for(cast.cm_a)

    response = client.get("/analytics/reconciliation/", {"partner": typed})

    assert _customers(response) == ["Ardent's customer"]
    assert (
        b'name="partner"' in response.content and b'<select name="partner"' not in response.content
    )
    assert f'value="{typed}"' in response.content.decode()  # the filter keeps what was typed


def test_the_number_links_carry_still_filters(cast, client_for, many_partners):
    response = client_for(cast.cm_a).get(
        "/analytics/reconciliation/", {"partner": cast.partner_a.pk}
    )

    assert _customers(response) == ["Ardent's customer"]


def test_another_cms_partner_is_not_found_by_name_and_is_404_by_number(
    cast, client_for, many_partners
):
    client = client_for(cast.cm_a)

    by_name = client.get("/analytics/reconciliation/", {"partner": "Bergmann"})
    by_number = client.get("/analytics/reconciliation/", {"partner": cast.partner_b.pk})

    # The same answer as for a name nobody has: nothing says the partner exists.
    assert "None of your partners matches “Bergmann”." in by_name.content.decode()
    assert "Bergmann's customer" not in by_name.content.decode()
    assert by_number.status_code == 404


def test_a_name_several_partners_share_asks_for_more(cast, client_for, many_partners):
    response = client_for(cast.cm_a).get("/analytics/reconciliation/", {"partner": "Filler"})

    assert (
        "Several partners match “Filler”: Filler Reseller 000 (filler-000)"
        in response.content.decode()
    )
    assert _customers(response) == ["Ardent's customer"]  # the filter is left out
