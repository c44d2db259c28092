"""Workbooks through the browser, the real web server and the real worker.

The Northwind sample saved as .xlsx (real date cells) imports its 93 lines; a crafted
workbook fails its own job with a message while the web server keeps answering others.
"""

import threading
import time
import urllib.request
import uuid

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from reporting.models import SalesLine, Upload
from tests.ingest.support import catalogue
from tests.ingest.workbooks import northwind_rows, northwind_xlsx
from tests.reporting.hostile import data_row, rewrite_xlsx, sheet_xml

pytestmark = pytest.mark.browser


@pytest.fixture
def workbook_catalogue(live_catalogue):
    return live_catalogue(sorted(catalogue() | {"RP-SW"}), uploads="workbook-")


def _upload(page, base: str, name: str, content: bytes) -> None:
    page.goto(f"{base}/reports/upload/")
    page.get_by_label("Report file").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": content}
    )
    page.get_by_role("button", name="Upload").click()


def test_it_imports_the_northwind_workbook_with_date_cells_from_the_browser(
    page, live_server_url, login_in_browser, cast, workbook_catalogue, django_db_blocker, tmp_path
):
    base = login_in_browser(page, cast.partner_a_admin.email)
    content = northwind_xlsx(tmp_path / "northwind.xlsx").read_bytes()
    name = f"workbook-{uuid.uuid4().hex[:6]}.xlsx"
    _upload(page, base, name, content)

    expect(page.get_by_test_id("status-label")).to_have_text("Imported", timeout=60_000)
    expect(page.get_by_test_id("line-count")).to_have_text("93")
    expect(page.get_by_test_id("error-count")).to_have_text("0")
    with django_db_blocker.unblock(), schema_context("acme"):
        upload = Upload.objects.get(original_name=name)
        lines = SalesLine.objects.filter(upload=upload)
        got = sorted(
            (line.invoice_number, str(line.invoice_date), line.vendor_sku) for line in lines
        )
    expected = sorted((row[0], row[1], row[4]) for row in northwind_rows()[1:])
    assert got == expected


def _crafted_workbook(path) -> bytes:
    """20,000 real rows, then one value cell at XFD1048576 written with single quotes: a
    spelling the old guard did not read. Reading it would ask calamine for 512 GB."""
    body = "".join(data_row(row, f"W-{row}") for row in range(2, 20_002))
    body += "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"
    rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": sheet_xml(body)})
    return path.read_bytes()


def test_it_fails_a_crafted_workbook_in_its_own_job_while_the_site_keeps_answering(
    page, live_server_url, login_in_browser, cast, workbook_catalogue, django_db_blocker, tmp_path
):
    base = login_in_browser(page, cast.partner_a_admin.email)
    content = _crafted_workbook(tmp_path / "crafted.xlsx")
    host = base.split("//", 1)[1]
    answers: list[tuple[int, float]] = []
    stop = threading.Event()

    port = host.rsplit(":", 1)[1]

    def other_visitor():
        # Another tenant's visitor: the login page of globex, on the same server (Python
        # does not resolve *.localhost: the address, and the tenant in the Host header).
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/login/", headers={"Host": f"globex.localhost:{port}"}
        )
        while not stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(request, timeout=10) as response:
                answers.append((response.status, time.monotonic() - started))
            time.sleep(0.05)

    visitor = threading.Thread(target=other_visitor)
    name = f"workbook-{uuid.uuid4().hex[:6]}.xlsx"
    visitor.start()
    try:
        _upload(page, base, name, content)
        # The request answers at once with the status page; the worker reads the file.
        expect(page.get_by_test_id("status-label")).not_to_have_text("Failed", timeout=1)
        expect(page.get_by_test_id("status-label")).to_have_text("Failed", timeout=60_000)
    finally:
        stop.set()
        visitor.join()
    expect(page.get_by_role("alert")).to_contain_text("1048576 rows by 16384 columns")
    assert len(answers) >= 3 and all(status == 200 for status, _ in answers)
    assert max(seconds for _, seconds in answers) < 5, answers
    page.goto(f"{base}/reports/")  # and the server is still the same live process
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    with django_db_blocker.unblock(), schema_context("acme"):
        upload = Upload.objects.get(original_name=name)
        assert upload.status == "failed" and upload.file_info == {}
