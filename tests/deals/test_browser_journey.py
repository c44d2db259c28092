"""The deal registration journey in a real browser against the real server and worker.

Ardent (partner A) has registered Blue Harbor Logistics. Bergmann's rep registers the same
customer spelled differently: Bergmann only ever sees "needs review", then "rejected";
Ardent's CM sees the conflict with its reasons and approves Ardent's registration;
Bergmann's CM sees the conflict too and rejects Bergmann's.
"""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from deals.models import Deal, DealStatus
from tests.deals.committed import committed_deal, committed_products, purge_deals

pytestmark = pytest.mark.browser

CUSTOMER_A = "Blue Harbor Journey Logistics Inc."
CUSTOMER_B = "blue harbour journey logistics"


@pytest.fixture
def ardent_registration(cast, django_db_blocker):
    with django_db_blocker.unblock():
        committed_products()
        deal = committed_deal(cast.rep_a1, CUSTOMER_A)
        with schema_context("acme"):
            Deal.objects.filter(pk=deal.pk).update(customer_domain="blue-harbor-journey.com")
            deal.refresh_from_db()
            deal.refresh_matching_keys()
            deal.save(
                update_fields=["customer_domain_key", "customer_name_keys", "customer_name_forms"]
            )
    yield deal
    with django_db_blocker.unblock(), schema_context("acme"):
        ids = list(
            Deal.objects.filter(customer_name__in=[CUSTOMER_A, CUSTOMER_B]).values_list(
                "pk", flat=True
            )
        )
        purge_deals(ids)


def test_it_walks_a_conflicting_registration_from_submit_to_decision(
    browser, live_server_url, login_in_browser, cast, ardent_registration, django_db_blocker
):
    # Bergmann's rep registers the same customer.
    rep = browser.new_context(locale="en-US").new_page()
    base = login_in_browser(rep, cast.rep_b.email)
    rep.goto(f"{base}/deals/new/")
    rep.get_by_label("Customer company").fill(CUSTOMER_B)
    rep.get_by_label("Website or e-mail domain").fill("buyer@blue-harbor-journey.com")
    rep.get_by_label("Country (2-letter code)").fill("US")
    # Bergmann quotes in EUR and the committed data holds no exchange rate: the form says
    # so, and the rep enters its own price.
    rep.get_by_label("Product 1").fill("RACE-SW")
    expect(rep.get_by_test_id("list-price").first).to_have_text("—")
    rep.get_by_label("Quantity 1").fill("2")
    rep.get_by_label("Your unit price 1").fill("900")
    rep.get_by_role("button", name="Submit for review").click()

    expect(rep.get_by_test_id("needs-review")).to_be_visible()
    expect(rep.get_by_test_id("status")).to_have_text("Needs review")
    assert "Ardent" not in rep.content(), "the rep must not learn who else registered"
    bergmann_url = rep.url

    # Ardent's CM sees the conflict with its reasons and approves Ardent's registration.
    cm_a = browser.new_context(locale="en-US").new_page()
    login_in_browser(cm_a, cast.cm_a.email)
    cm_a.goto(f"{base}/deals/review/")
    cm_a.get_by_role("link", name=CUSTOMER_A).click()
    conflict = cm_a.get_by_test_id("conflict")
    expect(conflict).to_contain_text("Bergmann IT GmbH")
    expect(conflict).to_contain_text("same domain blue-harbor-journey.com")
    expect(conflict).to_contain_text(re.compile(r"name \d+% similar"))
    cm_a.get_by_role("button", name="Approve").click()
    expect(cm_a.get_by_test_id("status")).to_have_text("Approved")

    # Bergmann's CM sees the same conflict, now against an approved registration, and rejects.
    cm_b = browser.new_context(locale="en-US").new_page()
    login_in_browser(cm_b, cast.cm_b.email)
    cm_b.goto(bergmann_url)
    expect(cm_b.get_by_test_id("conflict")).to_contain_text("Ardent Systems")
    expect(cm_b.get_by_test_id("conflict")).to_contain_text("Approved")
    cm_b.get_by_label("Comment to the partner").fill(
        "Another partner already protects this customer."
    )
    cm_b.get_by_role("button", name="Reject").click()
    expect(cm_b.get_by_test_id("status")).to_have_text("Rejected")

    # The rep sees the rejection and its reason, still without the other partner's name.
    rep.reload()
    expect(rep.get_by_test_id("status")).to_have_text("Rejected")
    expect(rep.get_by_test_id("rejection")).to_contain_text("already protects this customer")
    assert "Ardent" not in rep.content()
    with django_db_blocker.unblock(), schema_context("acme"):
        statuses = dict(
            Deal.objects.filter(customer_name__in=[CUSTOMER_A, CUSTOMER_B]).values_list(
                "customer_name", "status"
            )
        )
    assert statuses == {CUSTOMER_A: DealStatus.APPROVED, CUSTOMER_B: DealStatus.REJECTED}
