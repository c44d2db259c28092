"""Workbooks with real typed cells, written the way spreadsheet programs write them.

`northwind_xlsx()` is the Northwind sample saved from Excel: invoice dates as real date
cells shown as DD/MM/YYYY, quantities and prices as number cells. The others exercise one
kind of native cell each. openpyxl writes shared strings and typed cells as Excel does;
xlsxwriter adds what openpyxl cannot write: formulas with their cached values and the
1904 date system.
"""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import xlsxwriter

from .support import SAMPLES

NORTHWIND = "northwind_pos_2026-09.csv"


def northwind_rows() -> list[list[str]]:
    with (SAMPLES / NORTHWIND).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def northwind_xlsx(path: Path, *, date_format: str = "DD/MM/YYYY", sheet_title="Sales") -> Path:
    """The Northwind sample as Excel saves it: typed cells, dates shown day first."""
    rows = northwind_rows()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(rows[0])
    for row in rows[1:]:
        invoice, day, reseller, customer, sku, quantity, price, currency = row
        sheet.append(
            [
                invoice,
                datetime.date.fromisoformat(day),
                reseller or None,
                customer,
                sku,
                int(quantity),
                float(Decimal(price)),
                currency,
            ]
        )
        sheet.cell(sheet.max_row, 2).number_format = date_format
        sheet.cell(sheet.max_row, 7).number_format = '"$"#,##0.00'
    workbook.save(path)
    return path


def typed_cells_xlsx(path: Path, *, date_1904: bool = False) -> Path:
    """One row per cell type a report column can hold, read back as canonical lines.

    Invoice numbers are numbers (Excel's favourite surprise), dates are date and
    datetime cells, prices are currency-formatted, the amount is a formula with its
    cached value, the quantity a formula too; a boolean and an error cell sit in
    columns the mapping ignores.
    """
    workbook = xlsxwriter.Workbook(str(path), {"date_1904": date_1904})
    sheet = workbook.add_worksheet("Sales")
    day = workbook.add_format({"num_format": "dd/mm/yyyy"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    money = workbook.add_format({"num_format": '"€"#,##0.00'})
    share = workbook.add_format({"num_format": "0.0%"})
    sheet.write_row(
        0,
        0,
        ["Invoice No", "Invoice Date", "SKU", "Qty", "Unit Price", "Amount", "Currency",
         "Discount", "Checked", "Lookup"],
    )  # fmt: skip
    rows = [
        (7001, datetime.datetime(2026, 9, 1), day, "RP-SW", 2, 10.5),
        (7002, datetime.datetime(2026, 9, 13, 16, 45), moment, "RP-AP", 3, 1234.56),
        (7003, datetime.datetime(2026, 12, 31), day, "RP-SW", -1, 10.5),
    ]
    for index, (invoice, when, style, sku, quantity, price) in enumerate(rows, start=1):
        excel_row = index + 1
        sheet.write_number(index, 0, invoice)
        sheet.write_datetime(index, 1, when, style)
        sheet.write_string(index, 2, sku)
        sheet.write_formula(index, 3, f"={quantity}", None, quantity)
        sheet.write_number(index, 4, price, money)
        sheet.write_formula(
            index, 5, f"=D{excel_row}*E{excel_row}", money, round(quantity * price, 2)
        )
        sheet.write_string(index, 6, "EUR")
        sheet.write_number(index, 7, 0.05, share)
        sheet.write_boolean(index, 8, index % 2 == 0)
        sheet.write_formula(index, 9, "=NA()", None, "#N/A")
    workbook.close()
    return path


TYPED_CELLS_LINES = [
    ["7001", "2026-09-01", "RP-SW", "2", "10.50", "21.00", "EUR"],
    ["7002", "2026-09-13", "RP-AP", "3", "1234.56", "3703.68", "EUR"],
    ["7003", "2026-12-31", "RP-SW", "-1", "10.50", "-10.50", "EUR"],
]
