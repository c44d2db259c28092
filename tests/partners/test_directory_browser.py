"""The directory's search and filters update the results in place (htmx) and the URL."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_filters_the_directory_as_the_user_types(cast, page, login_in_browser):
    base = login_in_browser(page, cast.vendor_admin.email)
    page.goto(f"{base}/partners/")
    results = page.locator("#partner-results")
    expect(results).to_contain_text("Ardent Systems")
    page.get_by_label("Search").fill("bergm")
    expect(results).not_to_contain_text("Ardent Systems")
    expect(results).to_contain_text("Bergmann IT GmbH")
    expect(page).to_have_url(re.compile(r"q=bergm"))
    page.get_by_label("Search").fill("")
    page.get_by_label("Sort by").select_option("-name")
    expect(results.locator("tbody tr").first).to_contain_text("Bergmann IT GmbH")
    expect(page).to_have_url(re.compile(r"sort=-name"))
