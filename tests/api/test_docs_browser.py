"""The API reference page works in a real browser under our content security policy."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_shows_every_resource_in_the_api_reference(live_server_url, page):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("requestfailed", lambda request: problems.append(request.url))
    base = live_server_url.format(host="acme.localhost")
    page.goto(f"{base}/api/v1/docs/")
    for tag in ("partners", "deals", "products", "uploads", "sales-lines", "webhooks"):
        expect(page.locator(f"#operations-tag-{tag}")).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert not [p for p in problems if "Content Security Policy" in p or "/api/" in p], problems
