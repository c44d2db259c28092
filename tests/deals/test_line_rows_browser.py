"""A rep adds and removes product rows on the registration form in a real browser, picks
products by SKU or by the catalogue list's text, and saves what the page shows."""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from deals.forms import MAX_LINES
from deals.models import Deal
from tests.deals.committed import committed_products, purge_deals

pytestmark = pytest.mark.browser

CUSTOMER = "Row Adder Browser Ltd"


@pytest.fixture
def products(django_db_blocker):
    with django_db_blocker.unblock():
        yield committed_products()
    with django_db_blocker.unblock(), schema_context("acme"):
        purge_deals(Deal.objects.filter(customer_name=CUSTOMER).values_list("pk", flat=True))


def test_a_rep_adds_and_removes_rows_and_saves_what_the_page_shows(
    browser, live_server_url, login_in_browser, cast, products, django_db_blocker
):
    page = browser.new_context(locale="en-US").new_page()
    base = login_in_browser(page, cast.rep_a1.email)
    page.goto(f"{base}/deals/new/")
    page.get_by_label("Customer company").fill(CUSTOMER)

    # One row to start with; the catalogue list shows the list price as soon as a product
    # is picked (Ardent quotes in USD, the catalogue's currency).
    expect(page.get_by_label("Product 2")).to_have_count(0)
    page.get_by_label("Product 1").fill("RACE-SW - RACE-SW")
    expect(page.get_by_test_id("list-price").nth(0)).to_have_text("1,000.00 USD")
    page.get_by_label("Quantity 1").fill("2")

    add = page.get_by_role("button", name="Add a product")
    add.click()
    expect(page.get_by_label("Product 2")).to_be_focused()
    page.get_by_label("Product 2").fill("RACE-AP - RACE-AP")
    page.get_by_label("Quantity 2").fill("5")
    add.click()
    page.get_by_label("Product 3").fill("race-ap")  # the SKU typed, any case
    page.get_by_label("Quantity 3").fill("1")

    # The rep changes their mind about row 2: row 3 becomes row 2.
    page.get_by_role("button", name="Remove row 2").click()
    expect(page.get_by_label("Product 3")).to_have_count(0)
    expect(page.get_by_label("Product 2")).to_have_value("race-ap")
    expect(page.get_by_label("Quantity 2")).to_have_value("1")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    with django_db_blocker.unblock(), schema_context("acme"):
        deal = Deal.objects.get(customer_name=CUSTOMER)
        saved = sorted((line.product.vendor_sku, line.quantity) for line in deal.lines.all())
    assert saved == [("RACE-AP", 1), ("RACE-SW", 2)]

    # Editing shows both rows and an empty one; the same product twice is refused with a
    # message on the row, and nothing the rep typed is lost.
    page.goto(f"{base}/deals/{deal.pk}/edit/")
    expect(page.get_by_label("Product 3")).to_have_value("")
    page.get_by_label("Product 3").fill("RACE-SW")
    page.get_by_label("Quantity 3").fill("7")
    page.get_by_role("button", name="Save draft").click()
    duplicate = "This product is already on row 1: add the quantities there."
    expect(page.get_by_text(duplicate)).to_be_visible()
    expect(page.get_by_label("Quantity 3")).to_have_value("7")

    # Rows stop at the limit, and the page says why.
    while page.get_by_role("button", name="Add a product").is_enabled():
        add.click()
    expect(page.get_by_label(f"Product {MAX_LINES}")).to_have_count(1)
    expect(page.get_by_label(f"Product {MAX_LINES + 1}")).to_have_count(0)
    expect(page.get_by_text(f"A registration holds at most {MAX_LINES} products.")).to_be_visible()
