"""A partner rep logs in on acme.localhost in Chromium, sees the portal, switches to
Vietnamese and logs out."""

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from prm.accounts.models import User

pytestmark = pytest.mark.browser


@pytest.fixture
def rep_language_reset(cast, django_db_blocker):
    """The switcher saves the choice on the (committed) account: put it back afterwards."""
    yield
    with django_db_blocker.unblock(), schema_context("acme"):
        User.objects.filter(pk=cast.rep_a1.pk).update(language="")
        connection.close()


def test_it_takes_a_rep_through_login_language_and_logout(
    cast, page, login_in_browser, rep_language_reset
):
    base = login_in_browser(page, cast.rep_a1.email)

    expect(page).to_have_url(f"{base}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ardent Systems")
    expect(page.get_by_test_id("partner-status")).to_have_text("Active")
    # Nothing of partner B on the page.
    expect(page.get_by_text("Bergmann")).to_have_count(0)

    page.get_by_test_id("user-menu").click()
    page.get_by_label("Language").select_option("vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chào mừng, Ardent Systems")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")

    page.goto(f"{base}/portal/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/portal/$"))
