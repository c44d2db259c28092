"""A partner admin's report journey in Chromium against the real server and worker.

Ardent's admin uploads a report in a layout nobody has seen ("Beleg;Tag;Ding;Stk;Wert"),
is asked to confirm the columns, corrects the proposal, watches the progress bar while
the worker imports it, and downloads the error report of the one row with an unknown SKU.
"""

import csv
import io
import re
import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from reporting.models import SalesLine, Upload

pytestmark = pytest.mark.browser


@pytest.fixture
def journey_catalogue(live_catalogue):
    return live_catalogue(("JOURNEY-SW", "JOURNEY-AP"), uploads="journey-")


def test_it_takes_a_partner_admin_from_upload_to_error_report(
    page, live_server_url, login_in_browser, cast, journey_catalogue, django_db_blocker
):
    marker = uuid.uuid4().hex[:6]
    report = (
        "Beleg;Tag;Ding;Stk;Wert\n"
        f"J{marker}-1;01.09.2026;JOURNEY-SW;2;20,00\n"
        f"J{marker}-2;15.09.2026;JOURNEY-AP;1;5,50\n"
        f"J{marker}-3;16.09.2026;NOT-IN-CATALOGUE;1;9,99\n"
    ).encode()
    login_in_browser(page, cast.partner_a_admin.email)

    page.locator(".nav-dropdown > summary", has_text="Reports").click()  # the menu group
    page.get_by_role("link", name="Sales reports").click()
    page.get_by_test_id("new-upload").click()
    page.get_by_label("Report file").set_input_files(
        {"name": f"journey-{marker}.csv", "mimeType": "text/csv", "buffer": report}
    )
    page.get_by_role("button", name="Upload").click()

    # The worker finds a new layout and asks; the status block updates by itself.
    expect(page.get_by_test_id("status-label")).to_have_text("Columns to confirm", timeout=60_000)
    page.get_by_test_id("confirm-mapping").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the columns")
    # The proposal found the SKUs by their values and the amounts by the German header.
    expect(page.get_by_label("Ding", exact=True)).to_have_value("vendor_sku")
    page.get_by_label("Beleg", exact=True).select_option("invoice_number")
    page.get_by_label("Tag", exact=True).select_option("invoice_date")
    page.get_by_label("Stk", exact=True).select_option("quantity")
    page.get_by_label("Wert", exact=True).select_option("amount")
    page.get_by_test_id("confirm").click()

    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_test_id("status-label")).to_have_text("Imported", timeout=60_000)
    expect(page.get_by_test_id("line-count")).to_have_text("2")
    expect(page.get_by_test_id("error-count")).to_have_text("1")

    with page.expect_download() as download:
        page.get_by_test_id("download-errors").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Row", "Column", "Value", "Problem"]
    assert rows[1][:3] == ["4", "Ding", "NOT-IN-CATALOGUE"]
    assert "alias" in rows[1][3]

    with django_db_blocker.unblock(), schema_context("acme"):
        upload = Upload.objects.get(original_name=f"journey-{marker}.csv")
        assert SalesLine.objects.filter(upload=upload).count() == 2
        assert upload.runs.count() == 2  # one that stopped for the mapping, one that imported
