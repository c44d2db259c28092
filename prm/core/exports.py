"""CSV and XLSX files that are safe to open in a spreadsheet.

A text cell starting with ``= + - @``, tab or carriage return would be read as a formula
(or shift into one) by Excel, LibreOffice and Google Sheets; such text gets a leading
apostrophe. Numbers stay numbers (a negative quantity is a number, not text) and dates are
real dates in XLSX.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value: str) -> str:
    """``value`` as inert spreadsheet text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


@dataclass
class Table:
    """A titled grid of cells: str, int, Decimal, float, date or None."""

    name: str
    headers: list[str]
    rows: list[list]


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return safe_text(str(value))


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(str(h)) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    # A BOM so Excel opens UTF-8 (Vietnamese, German names) correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    buffer = io.BytesIO()
    # strings_to_formulas=False: text is never turned into a formula by xlsxwriter itself;
    # the apostrophe guards the file when someone saves it back as CSV.
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(safe_text(table.name)[:31].replace("'", "") or "Sheet1")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(table.headers):
        sheet.write_string(0, col, safe_text(str(header)), bold)
    for r, row in enumerate(table.rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(r, col, float(value))
            elif isinstance(value, datetime):
                sheet.write_datetime(r, col, value.replace(tzinfo=None), day)
            elif isinstance(value, date):
                sheet.write_datetime(r, col, datetime(value.year, value.month, value.day), day)
            else:
                sheet.write_string(r, col, safe_text(str(value)))
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def response(table: Table, *, filename: str, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        body, content_type = to_xlsx(table), XLSX_TYPE
    else:
        body, content_type, fmt = to_csv(table), "text/csv; charset=utf-8", "csv"
    result = HttpResponse(body, content_type=content_type)
    result["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    result["X-Content-Type-Options"] = "nosniff"
    return result
