"""The bad-input corpus: every file here is refused with a message the uploader can act on.

Files are generated in tmp_path; big ones are sparse or compressed so the suite stays fast.
"""

import io
import zipfile

import openpyxl
import pytest

from reporting.ingest import UploadRefused, check_upload

from .support import ingest, write_text

LIMIT = 50 << 20
GOOD = "Invoice No,Invoice Date,SKU,Qty,Unit Price\nA-1,2026-09-01,AN-SW-24P,1,10.00\n"


def refusal(path, name=None, max_bytes=LIMIT, **options) -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        check_upload(path, name or path.name, max_bytes, **options)
    return refused.value


def real_xlsx(tmp_path) -> bytes:
    workbook = openpyxl.Workbook()
    for row in [["Invoice No", "Invoice Date", "SKU", "Qty"], ["A-1", "2026-09-01", "X", 1]]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_it_refuses_an_empty_file(tmp_path):
    error = refusal(write_text(tmp_path, "empty.csv", ""))
    assert error.code == "empty"
    assert "Export the report again" in str(error)


def test_it_refuses_a_header_without_rows(tmp_path):
    error = refusal(write_text(tmp_path, "header.csv", "Invoice No;Date;SKU;Qty\n\n"))
    assert error.code == "header_only"
    assert "Invoice No, Date, SKU, Qty" in str(error)


def test_it_refuses_random_binary_named_csv(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 64)
    error = refusal(path)
    assert error.code == "binary_as_text"
    assert "not a text file" in str(error)


def test_it_names_what_a_disguised_file_really_is(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert "a PNG image" in str(refusal(path))
    path.write_bytes(real_xlsx(tmp_path))
    assert "ZIP archive or Excel workbook" in str(refusal(path))


def test_it_refuses_a_program_named_xlsx(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 500 + b"This program cannot be run in DOS mode")
    error = refusal(path)
    assert error.code == "not_a_workbook"
    assert "a Windows program" in str(error)


def test_it_refuses_a_zip_bomb_before_any_parser_opens_it(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\x00" * (1 << 20)
            for _ in range(150):
                part.write(block)
    assert path.stat().st_size < 1 << 20
    error = refusal(path)
    assert error.code in ("zip_ratio", "zip_too_large_uncompressed")
    assert "was not opened" in str(error) or "unpacks to" in str(error)


def test_it_refuses_a_zip_with_thousands_of_entries(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for index in range(2_100):
            archive.writestr(f"xl/media/{index}.xml", "<a/>")
    error = refusal(path)
    assert error.code == "zip_too_many_entries"
    assert "2101 internal parts" in str(error)


def test_it_refuses_an_xml_bomb_inside_a_workbook(tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">'
            for i in range(1, 10)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(real_xlsx(tmp_path)))
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = laughs.encode()
            archive.writestr(entry, data)
    error = refusal(path)
    assert error.code == "xml_entities"
    assert "Save it again from Excel" in str(error)


def test_it_refuses_a_damaged_workbook(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x13" * 400)
    assert refusal(path).code == "zip_corrupt"


def test_it_refuses_a_password_protected_workbook(tmp_path):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    error = refusal(path)
    assert error.code == "encrypted_workbook"
    assert "Remove the password" in str(error)


def test_it_refuses_text_in_the_wrong_encoding_the_partner_chose(tmp_path):
    path = write_text(tmp_path, "wrong.csv", GOOD.replace("A-1", "Müller") * 2, "cp1252")
    error = refusal(path, encoding_override="utf-8")
    assert error.code == "wrong_encoding"
    assert "Choose the encoding the report was saved in" in str(error)


def test_it_refuses_a_file_whose_rows_are_mostly_ragged(tmp_path):
    body = "".join(f"A-{i},2026-09-01,AN-SW-24P,1,10,00,extra\n" for i in range(10))
    error = refusal(write_text(tmp_path, "ragged.csv", GOOD.splitlines()[0] + "\n" + body))
    assert error.code == "ragged"
    assert "quote values that contain it" in str(error)


def test_it_reports_a_few_ragged_rows_as_row_errors(tmp_path):
    rows = "".join(f"A-{i},2026-09-01,AN-SW-24P,1,10.00\n" for i in range(10))
    path = write_text(tmp_path, "some.csv", GOOD + rows + "B-1,2026-09-01,AN-SW-24P,1,10,00\n")
    _, _, lines, errors, _ = ingest(path, default_currency="EUR")
    assert lines.height == 11
    error = errors.row(0, named=True)
    assert (error["source_row"], error["code"]) == (13, "ragged_row")
    assert "put that value in quotes" in error["message"]


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(GOOD.encode())
        handle.truncate(100 << 20)  # sparse: 100 MB on paper, nothing on disk
    error = refusal(path)
    assert error.code == "too_large"
    assert str(error).startswith("The file is 100 MB; the limit is 50 MB.")


def test_it_applies_the_tenants_own_limit(tmp_path):
    path = write_text(tmp_path, "small.csv", GOOD * 100)
    assert refusal(path, max_bytes=1_000).params["limit_mb"] == "0"
    assert check_upload(path, path.name, 1 << 20).size == path.stat().st_size


def test_it_refuses_ten_thousand_columns(tmp_path):
    header = ",".join(f"Column {index}" for index in range(10_000))
    row = ",".join("1" for _ in range(10_000))
    error = refusal(write_text(tmp_path, "wide.csv", f"{header}\n{row}\n"))
    assert error.code == "too_many_columns"
    assert "10000 columns; at most 500" in str(error)


def test_it_refuses_nul_bytes_in_a_text_file(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(GOOD.encode() * 200 + b"A-2,2026-09-01,AN\x00-SW,1,10.00\n")
    error = refusal(path)
    assert error.code == "nul_bytes"
    assert "NUL bytes" in str(error)


def test_it_refuses_an_extension_it_cannot_read(tmp_path):
    error = refusal(write_text(tmp_path, "report.pdf", GOOD))
    assert error.code == "extension"
    assert "Upload a CSV" in str(error)


def test_it_refuses_prose_that_holds_no_table(tmp_path):
    text = "Dear channel team,\nplease find our figures attached.\nKind regards\n"
    error = refusal(write_text(tmp_path, "letter.txt", text))
    assert error.code == "no_table"


def test_it_refuses_a_runaway_quoted_value(tmp_path):
    path = write_text(tmp_path, "quote.csv", GOOD + 'A-2,"2026-09-01,' + "x" * 200_000 + "\n")
    error = refusal(path)
    assert error.code == "field_too_long"
    assert "unclosed quote" in str(error)
