"""The registration form's product rows: any number up to the limit, products picked by SKU
or name, and a server that trusts neither the row count nor the product the page sent."""

import pytest
from django.utils.html import escape

from deals.forms import MAX_LINES
from deals.models import Deal, Product

CUSTOMER = "Row Count Ltd"


def _form(rows, *, total=None, **extra):
    """A registration with ``rows`` as (product text, quantity) and the count the page says."""
    data = {
        "customer_name": CUSTOMER,
        "lines-TOTAL_FORMS": str(len(rows) if total is None else total),
        "lines-INITIAL_FORMS": "0",
        **extra,
    }
    for index, (product, quantity) in enumerate(rows):
        data[f"lines-{index}-product"] = product
        data[f"lines-{index}-quantity"] = str(quantity)
    return data


def _saved_lines():
    deal = Deal.objects.get(customer_name=CUSTOMER)
    return sorted((line.product.vendor_sku, line.quantity) for line in deal.lines.all())


def test_it_saves_as_many_rows_as_the_rep_added(cast, acme, catalogue, client_for):
    for sku in ("SW-96", "AP-6", "AP-8"):
        Product.objects.create(vendor_sku=sku, name=f"Product {sku}", list_price=100)
    rows = [("SW-24", 1), ("SW-48", 2), ("AP-7", 3), ("SW-96", 4), ("AP-6", 5), ("AP-8", 6)]

    response = client_for(cast.rep_a1).post("/deals/new/", _form(rows))

    assert response.status_code == 302
    assert _saved_lines() == sorted(rows)


def test_it_finds_a_product_by_sku_name_or_the_listed_text(cast, acme, catalogue, client_for):
    rows = [
        ("sw-24", 1),  # the SKU, any case
        ("Wi-Fi 7 access point", 2),  # the name, shared by no other product
        ("SW-48 - Switch 48 ports", 3),  # what the list puts in the input
    ]

    client_for(cast.rep_a1).post("/deals/new/", _form(rows))

    assert _saved_lines() == [("AP-7", 2), ("SW-24", 1), ("SW-48", 3)]


def test_it_refuses_a_name_two_products_share(cast, acme, catalogue, client_for):
    Product.objects.create(vendor_sku="AP-7E", name="Wi-Fi 7 access point", list_price=500)

    page = client_for(cast.rep_a1).post("/deals/new/", _form([("Wi-Fi 7 access point", 1)]))

    assert page.status_code == 200
    assert "“Wi-Fi 7 access point” is not in the catalogue." in page.content.decode()
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()


def test_the_page_lists_the_catalogue_once_with_its_list_prices(cast, acme, catalogue, client_for):
    page = client_for(cast.rep_a1).get("/deals/new/").content.decode()

    for product in catalogue.values():
        option = f'<option value="{escape(str(product))}" label="'
        assert page.count(option) == 1
    assert 'label="1,200.00 USD" data-price="1,200.00 USD"' in page
    assert 'name="lines-TOTAL_FORMS" value="1"' in page


def test_rows_sent_beyond_the_count_come_back_with_an_error(cast, acme, catalogue, client_for):
    # Three rows filled, but the count says one: Django alone would drop rows 2 and 3.
    rows = [("SW-24", 1), ("SW-48", 2), ("AP-7", 3)]

    page = client_for(cast.rep_a1).post("/deals/new/", _form(rows, total=1)).content.decode()

    assert "More product rows arrived than the form counted." in page
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()
    for index, (sku, quantity) in enumerate(rows):
        assert f'name="lines-{index}-product" value="{sku}"' in page
        assert f'name="lines-{index}-quantity" value="{quantity}"' in page
    # The page posts a count that matches its rows, so saving again works.
    assert 'name="lines-TOTAL_FORMS" value="3"' in page


def test_a_missing_row_count_keeps_the_rows_and_says_so(cast, acme, catalogue, client_for):
    data = _form([("SW-24", 1), ("AP-7", 2)])
    del data["lines-TOTAL_FORMS"], data["lines-INITIAL_FORMS"]

    page = client_for(cast.rep_a1).post("/deals/new/", data).content.decode()

    assert "The product rows could not be counted. Check the rows below and save again." in page
    assert 'name="lines-1-product" value="AP-7"' in page
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()

    client_for(cast.rep_a1).post("/deals/new/", _form([("SW-24", 1), ("AP-7", 2)]))
    assert _saved_lines() == [("AP-7", 2), ("SW-24", 1)]


@pytest.mark.parametrize("total", [MAX_LINES + 1, 10_000])
def test_it_refuses_more_rows_than_the_limit(cast, acme, catalogue, client_for, total):
    rows = [(f"SKU-{n}", 1) for n in range(MAX_LINES + 1)]

    page = client_for(cast.rep_a1).post("/deals/new/", _form(rows, total=total))

    assert page.status_code == 200
    assert f"A registration holds at most {MAX_LINES} products." in page.content.decode()
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()


def test_a_garbled_count_is_an_error_not_a_crash(cast, acme, catalogue, client_for):
    page = client_for(cast.rep_a1).post("/deals/new/", _form([("SW-24", 1)], total="²"))

    assert page.status_code == 200
    assert "The product rows could not be counted." in page.content.decode()
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()


def test_editing_shows_every_saved_row_and_one_empty_row(cast, acme, catalogue, client_for):
    client = client_for(cast.rep_a1)
    client.post("/deals/new/", _form([("SW-24", 1), ("SW-48", 2), ("AP-7", 3)]))
    deal = Deal.objects.get(customer_name=CUSTOMER)

    page = client.get(f"/deals/{deal.pk}/edit/").content.decode()

    assert 'name="lines-TOTAL_FORMS" value="4"' in page
    assert 'name="lines-3-product"' in page and 'name="lines-4-product"' not in page


def test_the_same_product_twice_is_refused_not_overwritten(cast, acme, catalogue, client_for):
    page = client_for(cast.rep_a1).post("/deals/new/", _form([("SW-24", 1), ("sw-24", 4)]))

    assert "This product is already on row 1: add the quantities there." in page.content.decode()
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()


def test_a_row_without_a_number_is_an_error_not_ignored(cast, acme, catalogue, client_for):
    # The page's blank row template is named lines-__prefix__-…; a browser never sends it.
    data = _form([("SW-24", 1)], **{"lines-__prefix__-product": "AP-7"})

    page = client_for(cast.rep_a1).post("/deals/new/", data).content.decode()

    assert "Some product rows could not be read. Check the rows below and save again." in page
    assert not Deal.objects.filter(customer_name=CUSTOMER).exists()
