"""Every shared sample imports with no manual mapping and yields exactly its expected lines."""

import csv

import pytest

from reporting.ingest import check_upload, source_rows

from .support import SAMPLES, aliases_for, as_export_rows, catalogue, ingest

SAMPLE_FILES = {
    "northwind_pos_2026-09.csv": "northwind",
    "mueller_verkauf_2026-09.csv": "mueller",
    "saigon_doanhso_2026-09.xlsx": "saigon",
    "lonestar_sales_sep.txt": "lonestar",
}


def expected_rows(name: str) -> list[list[str]]:
    with (SAMPLES / "expected" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_it_covers_every_sample_in_the_samples_folder():
    on_disk = {path.name for path in SAMPLES.iterdir() if path.is_file()}
    on_disk -= {"README.md", "products.csv", "sku_aliases.csv"}
    assert on_disk == set(SAMPLE_FILES)


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_it_maps_each_sample_without_asking(name):
    _, proposal, _, _, _ = ingest(
        SAMPLES / name, vendor_skus=catalogue(), aliases=aliases_for(SAMPLE_FILES[name])
    )
    assert proposal.certain, proposal.reasons


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_it_produces_exactly_the_expected_lines(name):
    partner = SAMPLE_FILES[name]
    _, _, lines, errors, _ = ingest(
        SAMPLES / name, partner=partner, vendor_skus=catalogue(), aliases=aliases_for(partner)
    )
    assert errors.height == 0, errors.to_dicts()[:5]
    assert as_export_rows(lines) == expected_rows(name)


@pytest.mark.parametrize("name", sorted(SAMPLE_FILES))
def test_it_accepts_each_sample_at_the_upload_gate(name):
    check = check_upload(SAMPLES / name, name, 50 << 20)
    assert len(check.sha256) == 64
    assert check.info.headers


def test_it_describes_the_samples_as_a_person_would():
    details = {}
    for name in SAMPLE_FILES:
        info, _, _, _, _ = ingest(SAMPLES / name, vendor_skus=catalogue())
        details[name] = (info.encoding, info.delimiter, info.header_row, info.date_order)
    assert details == {
        "northwind_pos_2026-09.csv": ("utf-8", ",", 1, None),
        "mueller_verkauf_2026-09.csv": ("cp1252", ";", 1, "dmy"),
        "saigon_doanhso_2026-09.xlsx": (None, None, 4, "dmy"),
        "lonestar_sales_sep.txt": ("utf-16-le", "\t", 1, "mdy"),
    }


def test_it_skips_the_vietnamese_totals_row_instead_of_reporting_it():
    info, _, lines, errors, chunks = ingest(
        SAMPLES / "saigon_doanhso_2026-09.xlsx", vendor_skus=catalogue()
    )
    assert [footer["text"] for footer in info.footer_rows] == ["Tổng cộng 31.464.343.472"]
    assert sum(chunk.skipped_rows for chunk in chunks) == 1
    assert errors.height == 0
    assert lines["source_row"].to_list()[0] == 5  # spreadsheet row under the header on row 4


def test_it_keeps_the_source_row_and_marks_returns():
    path = SAMPLES / "lonestar_sales_sep.txt"
    info, _, lines, _, _ = ingest(path, vendor_skus=catalogue(), aliases=aliases_for("lonestar"))
    returned = lines.filter(lines["invoice_number"] == "LON-2609-1117").row(0, named=True)
    assert returned["transaction_type"] == "return"
    assert returned["quantity"] == -2 and returned["amount"] == "-46.56"
    assert returned["source_row"] == 15
    # The row as the partner wrote it is read back from the file by its number.
    assert source_rows(path, info, [15]) == {
        15: "9/7/2026\tLON-2609-1117\tSummit & Vale Schools\tLS-0017\t-2\t($46.56)"
    }


def test_it_reads_back_every_line_s_row_from_the_file_whatever_the_chunks():
    """Tracing a line back gives the line's own row: the invoice number in the row is the
    line's, for every line, in a text file and in a workbook, with tiny chunks (a row on
    a chunk's edge) and the growing first chunks of a real import."""
    for name, partner in (
        ("lonestar_sales_sep.txt", "lonestar"),
        ("saigon_doanhso_2026-09.xlsx", "saigon"),
    ):
        path = SAMPLES / name
        info, _, lines, _, _ = ingest(path, vendor_skus=catalogue(), aliases=aliases_for(partner))
        numbers = dict(lines.select("source_row", "invoice_number").iter_rows())
        for chunk_rows in (3, 100_000):
            rows = source_rows(path, info, numbers, chunk_rows=chunk_rows)
            assert set(rows) == set(numbers), name
            delimiter = info.delimiter or "\t"
            for row, text in rows.items():
                assert numbers[row] in [cell.strip() for cell in text.split(delimiter)], (
                    name,
                    row,
                    text,
                )
    assert source_rows(path, info, []) == {}
