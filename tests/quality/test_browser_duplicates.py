"""A partner admin sends September again as Excel after the CSV, in Chromium against the real
server and worker: nothing is counted twice, the page lists the held lines, and the admin
confirms one of them as a true repeat sale."""

import io
import re
import uuid
from datetime import date

import openpyxl
import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from reporting.models import SalesLine

pytestmark = pytest.mark.browser

HEADERS = ["Invoice Number", "Invoice Date", "SKU", "Quantity", "Unit Price", "Currency"]


@pytest.fixture
def catalogue(live_catalogue):
    return live_catalogue(("REPEAT-SW", "REPEAT-AP"), uploads="repeat-")


def _upload(page, name: str, mime: str, content: bytes) -> None:
    page.goto(page.url.split("/reports/")[0] + "/reports/upload/")
    page.get_by_label("Report file").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    expect(page.get_by_test_id("status-label")).to_have_text("Imported", timeout=60_000)


def test_it_holds_the_excel_copy_and_counts_a_confirmed_repeat(
    page, live_server_url, login_in_browser, cast, catalogue, django_db_blocker
):
    marker = uuid.uuid4().hex[:6]
    rows = [
        [f"R{marker}-1", date(2026, 9, 3), "REPEAT-SW", 2, 20.0, "USD"],
        [f"R{marker}-2", date(2026, 9, 4), "REPEAT-AP", 1, 5.5, "USD"],
    ]
    text = (
        ",".join(HEADERS)
        + "\n"
        + "".join(f"{r[0]},{r[1].isoformat()},{r[2]},{r[3]},{r[4]:.2f},{r[5]}\n" for r in rows)
    )
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    for row in rows:
        book.active.append(row)
    excel = io.BytesIO()
    book.save(excel)
    login_in_browser(page, cast.partner_a_admin.email)
    page.locator(".nav-dropdown > summary", has_text="Reports").click()  # the menu group
    page.get_by_role("link", name="Sales reports").click()

    _upload(page, f"repeat-{marker}.csv", "text/csv", text.encode())
    expect(page.get_by_test_id("line-count")).to_have_text("2")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    _upload(page, f"repeat-{marker}.xlsx", xlsx, excel.getvalue())

    expect(page.get_by_test_id("line-count")).to_have_text("0")
    expect(page.get_by_test_id("held-line")).to_have_count(2)
    page.get_by_label("Row 3 is a repeat sale").check()
    page.get_by_test_id("confirm-repeats").click()

    expect(page.get_by_test_id("held-line")).to_have_count(1)
    expect(page.get_by_test_id("line-count")).to_have_text("1")
    with django_db_blocker.unblock(), schema_context("acme"):
        counted = SalesLine.objects.filter(invoice_number__startswith=f"R{marker}-")
        assert sorted(counted.values_list("invoice_number", flat=True)) == [
            f"R{marker}-1",
            f"R{marker}-2",
            f"R{marker}-2",
        ]
