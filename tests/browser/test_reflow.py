"""Every role's pages fit the screen: nothing is wider than a 390 px phone or a 1280 px
laptop (WCAG 1.4.10 reflow), and log out and the language switcher stay reachable."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)

VENDOR_PAGES = [
    "/workspace/",
    "/partners/",
    "/partners/{partner_a}/",
    "/partners/{partner_a}/edit/",
    "/partners/applications/",
    "/workspace/announcements/",
    "/deals/",
    "/deals/review/",
    "/deals/notifications/",
    "/reports/",
    "/reports/aliases/",
    "/analytics/",
    "/analytics/leaderboard/",
    "/analytics/health/",
    "/analytics/partners/{partner_a}/",
    "/analytics/reconciliation/",
    "/analytics/rates/",
    "/account/profile/",
    "/password/change/",
]
PAGES = {
    "vendor_admin": VENDOR_PAGES
    + [
        "/workspace/territories/",
        "/partners/agreement/",
        "/partners/tiers/",
        "/partners/tiers/new/",
    ],
    "cm_a": VENDOR_PAGES,
    "partner_a_admin": [
        "/portal/",
        "/portal/users/",
        "/portal/agreement/",
        "/deals/",
        "/deals/new/",
        "/deals/notifications/",
        "/reports/",
        "/reports/upload/",
        "/analytics/my/",
        "/account/profile/",
    ],
    "rep_a1": ["/portal/", "/deals/", "/deals/new/", "/deals/notifications/", "/account/profile/"],
}

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.mark.parametrize("role", list(PAGES))
def test_it_fits_every_page_of_the_role_on_a_phone_and_a_laptop(
    cast, browser, login_in_browser, role
):
    user = cast.users()[role]
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        base = login_in_browser(page, user.email)
        expect(page.get_by_test_id("logout")).to_be_visible()
        too_wide = []
        for path in PAGES[role]:
            url = base + path.format(partner_a=cast.partner_a.pk)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(url)
                assert response.status == 200, (role, path, response.status)
                scroll_width, inner_width = page.evaluate(OVERFLOW)
                if scroll_width > inner_width:
                    too_wide.append((path, width, scroll_width))
                # Log out is on screen, never behind a menu or off to the right.
                logout = page.get_by_test_id("logout")
                expect(logout).to_be_in_viewport()
        assert too_wide == [], f"{role}: pages wider than the screen: {too_wide}"
    finally:
        context.close()


def test_it_folds_the_menu_into_a_button_on_a_phone(cast, page, login_in_browser):
    page.set_viewport_size({"width": 390, "height": 800})
    base = login_in_browser(page, cast.vendor_admin.email)
    page.goto(f"{base}/workspace/")
    deals_group = page.locator(".nav-dropdown > summary", has_text="Deals")
    expect(deals_group).to_be_hidden()
    page.get_by_test_id("menu-toggle").click()
    deals_group.click()
    page.get_by_role("link", name="Deal reviews").click()
    expect(page).to_have_url(f"{base}/deals/review/")
    # On a laptop the groups sit in the bar without the button.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_test_id("menu-toggle")).to_be_hidden()
    expect(page.locator(".nav-dropdown > summary", has_text="Deals")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("link", name="Profile and language")).to_be_visible()
    expect(page.get_by_label("Language")).to_be_visible()
