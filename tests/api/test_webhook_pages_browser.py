"""In Chromium: a vendor admin registers a webhook endpoint on the page, sees a failed
delivery's answer, presses Send again and sees it delivered (real worker, real receiver);
a channel manager is told which admin to ask."""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from prm.webhooks.models import Endpoint
from tests.api.receivers import Receiver
from tests.deals.committed import committed_deal, purge_deals

pytestmark = pytest.mark.browser


@pytest.fixture
def committed(django_db_blocker, cast):
    made = {"deals": []}
    with django_db_blocker.unblock():
        yield made
        with schema_context("acme"):
            Endpoint.objects.filter(url__startswith="http://127.0.0.1:").delete()
        purge_deals(made["deals"])


def test_an_admin_follows_a_failed_delivery_and_sends_it_again(
    cast, page, login_in_browser, committed, django_db_blocker
):
    with Receiver() as receiver:
        receiver.status = 500
        login_in_browser(page, cast.vendor_admin.email)
        page.get_by_test_id("user-menu").click()
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")

        page.get_by_label("URL").fill(f"http://127.0.0.1:{receiver.port}/hooks")
        page.get_by_label("deal.submitted").check()
        page.get_by_role("button", name="Register endpoint").click()
        expect(page.get_by_test_id("new-secret")).to_contain_text("whsec_")

        with django_db_blocker.unblock():
            deal = committed_deal(cast.rep_a1, "Browser Webhook Traders")  # submitted
            committed["deals"].append(deal.pk)
        receiver.wait(1)

        page.get_by_role("link", name="Open the endpoint's deliveries").click()
        deliveries = page.get_by_test_id("deliveries")
        for _ in range(20):  # the worker records the attempt a moment after the POST
            if deliveries.count() and "500" in deliveries.inner_text():
                break
            page.wait_for_timeout(500)
            page.reload()
        expect(deliveries.locator("tbody tr").first).to_contain_text("500")
        expect(deliveries.locator("tbody tr").first).to_contain_text("Pending")

        receiver.status = 204
        deliveries.get_by_role("button", name="Send again").first.click()
        expect(page.get_by_role("status")).to_contain_text("Queued again")
        receiver.wait(2)
        for _ in range(20):
            if "Delivered" in deliveries.locator("tbody tr").first.inner_text():
                break
            page.wait_for_timeout(500)
            page.reload()
        expect(deliveries.locator("tbody tr").first).to_contain_text("Delivered")
        expect(deliveries.locator("tbody tr").first).to_contain_text("204")


def test_a_channel_manager_sees_whom_to_ask(cast, page, login_in_browser):
    base = login_in_browser(page, cast.cm_a.email)
    expect(page).to_have_url(re.compile(r"/workspace/"))
    page.get_by_test_id("user-menu").click()
    expect(page.get_by_role("link", name="Webhooks")).to_have_count(0)
    page.goto(f"{base}/settings/webhooks/")
    expect(page.get_by_test_id("ask-an-admin")).to_contain_text("Only vendor admins")
    expect(page.get_by_test_id("ask-an-admin")).to_contain_text(cast.vendor_admin.email)


def test_an_admin_rotates_the_secret_and_deliveries_carry_both_signatures(
    cast, page, login_in_browser, committed, django_db_blocker
):
    from standardwebhooks import Webhook

    from prm.webhooks.services import endpoint_create

    with Receiver() as receiver:
        receiver.status = 204
        with django_db_blocker.unblock(), schema_context("acme"):
            endpoint = endpoint_create(
                user=cast.vendor_admin,
                url=f"http://127.0.0.1:{receiver.port}/rotated",
                events=["deal.submitted"],
            )
        old = endpoint.secret
        base = login_in_browser(page, cast.vendor_admin.email)
        page.goto(f"{base}/settings/webhooks/{endpoint.pk}/")

        page.get_by_text("Rotate the signing secret…").click()
        rotate = page.get_by_role("button", name="Rotate the secret")
        rotate.click()  # not confirmed: the browser asks for the box, nothing is sent
        expect(page).to_have_url(re.compile(rf"/settings/webhooks/{endpoint.pk}/$"))
        with django_db_blocker.unblock(), schema_context("acme"):
            assert Endpoint.objects.get(pk=endpoint.pk).secret == old
        page.get_by_label("I will give the receiver the new secret within 24 hours.").check()
        rotate.click()

        shown = page.get_by_test_id("new-secret")
        expect(shown).to_contain_text("The old secret keeps working for 24 hours")
        new = shown.locator("code").inner_text()
        assert new.startswith("whsec_") and new != old
        with django_db_blocker.unblock():
            deal = committed_deal(cast.rep_a1, "Rotation Traders")  # submitted
            committed["deals"].append(deal.pk)
        receiver.wait(1)
        headers, body = receiver.requests[0]
        assert Webhook(new).verify(body, headers)["type"] == "deal.submitted"
        assert Webhook(old).verify(body, headers)["type"] == "deal.submitted"
