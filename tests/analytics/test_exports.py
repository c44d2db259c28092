"""CSV and XLSX exports: safe to open in a spreadsheet, and scoped like the pages."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from reporting.analytics import services
from reporting.analytics.exports import Table, safe_text, to_csv, to_xlsx

PERIOD = {"start": "2026-01", "end": "2026-06"}
DANGEROUS = ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_it_escapes_text_that_a_spreadsheet_would_run(text):
    assert safe_text(text) == "'" + text


def test_it_leaves_ordinary_text_and_numbers_alone():
    table = Table("t", ["name", "qty", "amount"], [["Müller GmbH", -3, Decimal("-12.50")]])
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert rows == [["name", "qty", "amount"], ["Müller GmbH", "-3", "-12.50"]]


def _xlsx_cells(body: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        return (
            book.read("xl/worksheets/sheet1.xml").decode(),
            book.read("xl/sharedStrings.xml").decode(),
        )


def test_it_writes_xlsx_numbers_as_numbers_and_formulas_as_text():
    table = Table("t", ["name", "amount"], [["=1+1", Decimal("-5.25")], ["ok", 7]])
    sheet, strings = _xlsx_cells(to_xlsx(table))
    assert "<f>" not in sheet  # no formula cell anywhere
    assert "'=1+1" in strings
    assert "<v>-5.25</v>" in sheet and "<v>7</v>" in sheet


@pytest.fixture
def hostile(cast, sales, products, eur_rate):
    cast.partner_a.name = "=cmd|' /C calc'!A0"
    cast.partner_a.save()
    sales.add(cast.partner_a, date(2026, 2, 1), "SW-24", 1, "100.00")
    sales.add(cast.partner_b, date(2026, 2, 1), "SW-48", 2, "200.00", currency="EUR")
    services.refresh_sales_summaries()


def test_it_escapes_a_partner_name_in_the_leaderboard_export(cast, client_for, hostile):
    response = client_for(cast.vendor_admin).get("/analytics/export/partners.csv", PERIOD)

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in names
    amounts = {row[1]: row[3] for row in rows[1:]}
    assert amounts["Bergmann IT GmbH"] == "220.0000"  # a plain number, converted from EUR


def test_it_escapes_in_xlsx_exports_too(cast, client_for, hostile):
    response = client_for(cast.vendor_admin).get("/analytics/export/partners.xlsx", PERIOD)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet, strings = _xlsx_cells(response.content)
    assert "'=cmd|" in strings and "<f>" not in sheet


def test_it_exports_only_the_cms_partners(cast, client_for, hostile):
    body = client_for(cast.cm_b).get("/analytics/export/partners.csv", PERIOD).content.decode()
    assert "Bergmann" in body and "cmd" not in body


def test_it_exports_a_partners_own_months_only(cast, client_for, hostile):
    client = client_for(cast.partner_b_admin)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/analytics/my/export/months.csv", PERIOD).content.decode("utf-8-sig")
            )
        )
    )
    february = next(row for row in rows if row[0] == "2026-02")
    assert february[1] == "220.0000"  # partner B's own line; A's 100 USD is not added
    # the partner filter of the vendor export is not available on the portal
    forged = client.get("/analytics/my/export/months.csv", PERIOD | {"partner": cast.partner_a.pk})
    assert "220.0000" in forged.content.decode()


def test_it_refuses_vendor_tables_to_partners(cast, client_for, hostile):
    client = client_for(cast.partner_a_admin)
    assert client.get("/analytics/my/export/partners.csv").status_code == 404
    assert client.get("/analytics/export/partners.csv").status_code == 403
