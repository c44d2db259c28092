"""Layout detection: delimiters, header rows under titles, blank rows, totals, sheets."""

import datetime

import pytest

from reporting.ingest import inspect
from reporting.ingest.layout import find_header, is_total_label
from reporting.ingest.textfile import sniff_delimiter

from .support import ingest, write_text, write_xlsx

ROWS = [
    ["INV-1", "2026-09-01", "AN-SW-24P", "2", "10.00"],
    ["INV-2", "2026-09-02", "AN-AP-7", "1", "5.50"],
    ["INV-3", "2026-09-03", "AN-FW-100", "4", "7.25"],
]
HEADER = ["Invoice No", "Invoice Date", "SKU", "Qty", "Unit Price"]


def delimited(delimiter: str, rows=ROWS, header=HEADER) -> str:
    return "\n".join(delimiter.join(row) for row in [header, *rows]) + "\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_it_finds_each_delimiter(delimiter):
    assert sniff_delimiter(delimited(delimiter)) == delimiter


def test_it_is_not_fooled_by_decimal_commas_in_a_semicolon_file():
    text = "Rechnung;Datum;Artikel;Menge;Preis\n" + "R-1;01.09.2026;X;2;1.234,56\n" * 5
    assert sniff_delimiter(text) == ";"


def test_it_reads_a_pipe_delimited_file_end_to_end(tmp_path):
    path = write_text(tmp_path, "pipe.txt", delimited("|"))
    info, proposal, lines, errors, _ = ingest(path, default_currency="EUR")
    assert info.delimiter == "|"
    assert proposal.certain
    assert lines["invoice_number"].to_list() == ["INV-1", "INV-2", "INV-3"]
    assert errors.height == 0


def test_it_finds_the_header_under_title_and_blank_rows(tmp_path):
    text = "Sales report September 2026;;;;\nPartner: Contoso GmbH;;;;\n;;;;\n\n" + delimited(";")
    path = write_text(tmp_path, "titled.csv", text)
    info = inspect(path, path.name)
    assert info.header_row == 5
    assert info.headers == HEADER
    assert info.title_rows == ["Sales report September 2026", "Partner: Contoso GmbH"]
    assert info.sample_row_numbers[0] == 6


def test_it_finds_the_header_under_a_merged_title_in_a_workbook(tmp_path):
    rows = [["BÁO CÁO DOANH SỐ THÁNG 09/2026"], [], ["Số HĐ", "Ngày", "Mã hàng", "SL", "Đơn giá"]]
    rows += [["HD-1", datetime.date(2026, 9, 1), "AN-AP-7", 3, 18516600]]
    path = write_xlsx(tmp_path, "merged.xlsx", rows, merge="A1:E1")
    info = inspect(path, path.name)
    assert info.header_row == 3
    assert info.headers == ["Số HĐ", "Ngày", "Mã hàng", "SL", "Đơn giá"]


def test_it_counts_blank_rows_between_data_and_keeps_row_numbers_true(tmp_path):
    rows = ROWS[:1] + [[""] * 5] + ROWS[1:2] + [[]] + ROWS[2:]
    text = "\n".join(",".join(row) for row in [HEADER, *rows]) + "\n"
    path = write_text(tmp_path, "gaps.csv", text)
    info, _, lines, errors, chunks = ingest(path, default_currency="USD")
    assert lines["source_row"].to_list() == [2, 4, 6]
    assert sum(chunk.blank_rows for chunk in chunks) == 2  # ",,,," and an empty line
    assert errors.height == 0


@pytest.mark.parametrize(
    "label",
    ["Total", "Grand Total:", "Summe", "Gesamt", "Total général", "Tổng cộng", "TONG CONG", "合計"],
)
def test_it_recognises_total_labels_in_many_languages(label):
    assert is_total_label(label)


@pytest.mark.parametrize(
    "text", ["Total Networks GmbH", "Summit & Vale Schools", "Gesamtschule Nord"]
)
def test_it_does_not_take_customer_names_for_total_labels(text):
    assert not is_total_label(text)


def test_it_skips_totals_rows_at_the_end_and_in_between(tmp_path):
    text = (
        delimited(",") + ",,Subtotal,7,\n" + delimited(",", header=[])[1:] + "Grand Total,,,14,\n"
    )
    path = write_text(tmp_path, "totals.csv", text)
    _, _, lines, errors, chunks = ingest(path, default_currency="USD")
    assert lines.height == 6
    assert errors.height == 0
    assert sum(chunk.skipped_rows for chunk in chunks) == 2


def test_it_skips_a_header_repeated_on_every_printed_page(tmp_path):
    text = delimited(",") + ",".join(HEADER) + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n"
    path = write_text(tmp_path, "pages.csv", text)
    _, _, lines, errors, chunks = ingest(path, default_currency="USD")
    assert lines.height == 6 and errors.height == 0
    assert sum(chunk.skipped_rows for chunk in chunks) == 1


def test_it_reads_the_first_sheet_that_holds_a_table(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["Quarterly report, see next sheet"])
    data = workbook.create_sheet("Data")
    for row in [HEADER, *ROWS]:
        data.append(row)
    path = tmp_path / "two_sheets.xlsx"
    workbook.save(path)
    info = inspect(path, path.name)
    assert info.sheet == "Data"
    assert 'also has: "Cover"' in info.warnings[0]


def test_it_prefers_a_header_of_known_names_over_a_wordy_title_row():
    rows = [
        ["Report", "generated", "by", "ERP", "system"],
        ["Fecha", "Número de factura", "Cliente", "Cantidad", "Precio"],
        ["01/09/2026", "F-1", "Señor Muñoz", "2", "10,50"],
    ]
    assert find_header(rows).header_index == 1


def test_it_reads_quoted_values_with_delimiters_and_line_breaks(tmp_path):
    text = (
        "Invoice No,Invoice Date,Customer,SKU,Qty,Unit Price\n"
        'A-1,2026-09-01,"O\'Neill Engineering, Inc.",X-1,1,2.00\n'
        'A-2,2026-09-02,"Two\nlines",X-1,1,2.00\n'
        "A-3,2026-09-03,Plain,X-1,1,2.00\n"
    )
    path = write_text(tmp_path, "quoted.csv", text)
    _, _, lines, errors, _ = ingest(path, default_currency="USD")
    assert lines["end_customer"].to_list() == ["O'Neill Engineering, Inc.", "Two\nlines", "Plain"]
    assert lines["source_row"].to_list() == [2, 3, 4]  # records, as a spreadsheet counts rows
    assert errors.height == 0
