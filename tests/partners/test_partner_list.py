"""The vendor's partner directory: scope, search, filters, htmx partial, query budget."""

from partners.models import PartnerStatus
from tests.partners.helpers import make_partner, make_tiers, queries_for


def test_it_lists_every_partner_for_a_vendor_admin(cast, acme, client_for):
    page = client_for(cast.vendor_admin).get("/partners/").content.decode()
    assert "Ardent Systems" in page and "Bergmann IT GmbH" in page


def test_it_lists_only_a_cms_own_partners(cast, acme, client_for):
    page = client_for(cast.cm_a).get("/partners/").content.decode()
    assert "Ardent Systems" in page and "Bergmann" not in page


def test_it_refuses_partner_users(cast, acme, client_for):
    assert client_for(cast.partner_a_admin).get("/partners/").status_code == 403
    assert client_for(cast.rep_b).get("/partners/").status_code == 403


def test_it_searches_and_filters(cast, acme, client_for):
    _r, silver, _g = make_tiers()
    make_partner(
        name="Zephyr Systems",
        country="FR",
        tier=silver,
        status=PartnerStatus.SUSPENDED,
        email_domains=["zephyr.example"],
    )
    client = client_for(cast.vendor_admin)
    page = client.get("/partners/", {"q": "zephyr.exa"}).content.decode()
    assert "Zephyr Systems" in page and "Ardent" not in page
    page = client.get("/partners/", {"status": "suspended"}).content.decode()
    assert "Zephyr Systems" in page and "Bergmann" not in page
    page = client.get("/partners/", {"tier": silver.pk}).content.decode()
    assert "Zephyr Systems" in page and "Ardent" not in page


def test_it_sorts(cast, acme, client_for):
    page = client_for(cast.vendor_admin).get("/partners/", {"sort": "-name"}).content.decode()
    assert page.index("Bergmann IT GmbH") < page.index("Ardent Systems")


def test_it_answers_htmx_with_the_results_fragment_only(cast, acme, client_for):
    response = client_for(cast.vendor_admin).get(
        "/partners/", {"q": "Ardent"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'id="partner-results"' in body and "Ardent Systems" in body
    assert "<html" not in body and "<form" not in body


def test_it_paginates(cast, acme, client_for):
    for n in range(30):
        make_partner(name=f"Paged {n:02d}")
    client = client_for(cast.vendor_admin)
    first = client.get("/partners/").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = client.get("/partners/", {"page": 2}).content.decode()
    assert "Page 2 of 2" in second


def test_it_keeps_a_constant_number_of_queries_as_partners_grow(
    cast, acme, client_for, django_assert_max_num_queries
):
    registered, _s, _g = make_tiers()
    client = client_for(cast.vendor_admin)
    before = queries_for(client, "/partners/")
    for _ in range(20):
        make_partner(tier=registered, channel_manager=cast.cm_a)
    with django_assert_max_num_queries(before):
        after = queries_for(client, "/partners/")
    assert after == before
