"""A partner admin withdraws a report in Chromium, against the real server and worker:
the confirmation opens in place on the report's page (htmx), and the withdrawal lands on
the report list with the upload, its lines and its file gone."""

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from reporting.models import SalesLine, Upload, UploadWithdrawal

pytestmark = pytest.mark.browser


def test_a_partner_admin_withdraws_a_report_from_its_page(
    page, live_server_url, login_in_browser, cast, live_catalogue, django_db_blocker
):
    live_catalogue(("WITHDRAW-SW",), uploads="withdraw-")
    marker = uuid.uuid4().hex[:6]
    report = (
        "Invoice Number,Invoice Date,SKU,Quantity,Unit Price,Currency\n"
        f"W{marker}-1,2026-09-01,WITHDRAW-SW,2,20.00,USD\n"
        f"W{marker}-2,2026-10-15,WITHDRAW-SW,1,5.50,USD\n"
    ).encode()
    base = login_in_browser(page, cast.partner_a_admin.email)
    page.goto(f"{base}/reports/upload/")
    page.get_by_label("Report file").set_input_files(
        {"name": f"withdraw-{marker}.csv", "mimeType": "text/csv", "buffer": report}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("status-label")).to_have_text("Imported", timeout=60_000)
    detail_url = page.url
    with django_db_blocker.unblock(), schema_context("acme"):
        upload = Upload.objects.get(original_name=f"withdraw-{marker}.csv")
        stored = Path(settings.MEDIA_ROOT) / "acme" / upload.file.name
    assert stored.exists()

    page.get_by_test_id("withdraw").click()

    # In place: still the report's page, the confirmation swapped in.
    expect(page.get_by_test_id("withdraw-lines")).to_have_text("2")
    expect(page.get_by_test_id("withdraw-months")).to_have_text("September 2026, October 2026")
    assert page.url == detail_url
    page.get_by_test_id("withdraw-submit").click()

    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.locator(".messages")).to_contain_text(f"withdraw-{marker}.csv” was withdrawn")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not Upload.objects.filter(pk=upload.pk).exists()
        assert not SalesLine.objects.filter(upload_id=upload.pk).exists()
        assert UploadWithdrawal.objects.get(upload_id=upload.pk).line_count == 2
        UploadWithdrawal.objects.filter(upload_id=upload.pk).delete()
    assert not stored.exists()
