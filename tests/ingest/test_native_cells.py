"""Workbooks with real typed cells import exactly, and nothing internal leaks out of them."""

import json

import pytest

from reporting.ingest import check_upload

from .support import aliases_for, as_export_rows, catalogue, ingest
from .test_samples import expected_rows
from .workbooks import NORTHWIND, TYPED_CELLS_LINES, northwind_xlsx, typed_cells_xlsx


@pytest.mark.parametrize("date_format", ["DD/MM/YYYY", "MM/DD/YYYY", "yyyy-mm-dd", "d-mmm-yy"])
def test_it_imports_the_northwind_sample_saved_as_xlsx_with_real_date_cells(tmp_path, date_format):
    path = northwind_xlsx(tmp_path / "northwind.xlsx", date_format=date_format)
    info, proposal, lines, errors, _ = ingest(
        path, partner="northwind", vendor_skus=catalogue(), aliases=aliases_for("northwind")
    )
    assert proposal.certain, proposal.reasons
    assert errors.height == 0, errors.to_dicts()[:3]
    assert as_export_rows(lines) == expected_rows(NORTHWIND)
    assert info.date_order is None  # real date cells need no day/month decision


@pytest.mark.parametrize("date_1904", [False, True], ids=["1900 dates", "1904 dates"])
def test_it_reads_every_kind_of_native_cell(tmp_path, date_1904):
    path = typed_cells_xlsx(tmp_path / "typed.xlsx", date_1904=date_1904)
    _, proposal, lines, errors, _ = ingest(
        path, vendor_skus={"RP-SW", "RP-AP"}, default_currency="EUR"
    )
    assert proposal.certain, proposal.reasons
    assert errors.height == 0, errors.to_dicts()
    got = lines.select(
        "invoice_number", "invoice_date", "vendor_sku", "quantity", "unit_price", "amount",
        "currency",
    ).rows()  # fmt: skip
    assert [[str(value) for value in row] for row in got] == TYPED_CELLS_LINES


@pytest.mark.parametrize("extension", ["xlsx", "xlsm"])
def test_it_accepts_macro_enabled_workbooks_as_it_accepts_plain_ones(tmp_path, extension):
    # An .xlsm is an .xlsx that may carry a VBA part; calamine reads the cells and
    # never runs anything.
    path = northwind_xlsx(tmp_path / f"northwind.{extension}")
    check = check_upload(path, path.name, 50 << 20)
    assert check.info.file_format == extension
    assert check.info.headers[:2] == ["Invoice Number", "Invoice Date"]


def test_it_keeps_no_nul_and_no_internal_marker_in_what_it_describes(tmp_path):
    path = northwind_xlsx(tmp_path / "northwind.xlsx")
    info, proposal, _, _, _ = ingest(path, vendor_skus=catalogue())
    stored = json.dumps([info.to_dict(), proposal.to_dict()])
    assert "\\u0000" not in stored
    assert "2026-09-01" in stored  # the example date, as a person sees it
    assert info.columns[1].date.example == "2026-09-01"


def test_it_drops_nul_characters_written_into_string_cells(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Invoice No", "Invoice Date", "SKU", "Qty", "Price"])
    # `_x0000_` is how OOXML escapes a NUL; readers decode it back to the character.
    sheet.append(["A-1_x0000_", "2026-09-01", "RP-SW", 1, 2.5])
    sheet.append(["A-2", "2026-09-02", "RP-SW", 1, 2.5])
    workbook.save(tmp_path / "nul.xlsx")
    info, _, lines, _, _ = ingest(
        tmp_path / "nul.xlsx", vendor_skus={"RP-SW"}, default_currency="EUR"
    )
    assert "\\u0000" not in json.dumps(info.to_dict())
    assert "\x00" not in "".join(lines["invoice_number"].to_list())
