"""The typed partner filter in Chromium: above 200 partners, a CM types a name into the
dashboard's filter and htmx brings back the figures with what the lookup found or why it
found nothing (the body is all htmx swaps, so the message must be in it)."""

import re
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from reporting.analytics.forms import MAX_PARTNER_CHOICES

pytestmark = pytest.mark.browser


@pytest.fixture
def many_committed_partners(cast, django_db_blocker):
    from partners.models import Partner

    marker = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock(), schema_context("acme"):
        Partner.objects.bulk_create(
            Partner(
                name=f"Browser Filler {marker} {n:03d}",
                slug=f"bf-{marker}-{n:03d}",
                country="US",
                channel_manager=cast.cm_a,
            )
            for n in range(MAX_PARTNER_CHOICES)
        )
    yield marker
    with django_db_blocker.unblock(), schema_context("acme"):
        Partner.objects.filter(slug__startswith=f"bf-{marker}-").delete()
        connection.close()  # see test_charts_browser: the greenlet's connection


def test_a_cm_types_a_partner_and_is_told_when_several_or_none_match(
    cast, page, login_in_browser, many_committed_partners
):
    marker = many_committed_partners
    base = login_in_browser(page, cast.cm_a.email)
    page.goto(f"{base}/analytics/")
    field = page.get_by_label("Partner (name, slug or number)")
    error = page.get_by_test_id("filter-error")

    field.fill(f"Browser Filler {marker}")
    field.press("Enter")
    expect(error).to_contain_text(f"Several partners match “Browser Filler {marker}”")
    expect(error).to_contain_text(f"(bf-{marker}-000)")

    field.fill(f"bf-{marker}-007")
    field.press("Enter")
    expect(page).to_have_url(re.compile(rf"partner=bf-{marker}-007"))
    expect(error).to_have_count(0)

    field.fill("Bergmann")  # cm_b's partner: unknown to cm_a, as a name nobody has
    field.press("Enter")
    expect(error).to_have_text("None of your partners matches “Bergmann”.")
