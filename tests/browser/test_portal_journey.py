"""A partner rep logs in on acme.localhost in Chromium, sees the portal, switches to
Vietnamese and logs out."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_takes_a_rep_through_login_language_and_logout(cast, page, login_in_browser):
    base = login_in_browser(page, cast.rep_a1.email)

    expect(page).to_have_url(f"{base}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ardent Systems")
    expect(page.get_by_test_id("partner-status")).to_have_text("Active")
    # Nothing of partner B on the page.
    expect(page.get_by_text("Bergmann")).to_have_count(0)

    page.get_by_label("Language").select_option("vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chào mừng, Ardent Systems")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.locator("summary", has_text="Arthur").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")

    page.goto(f"{base}/portal/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/portal/$"))
