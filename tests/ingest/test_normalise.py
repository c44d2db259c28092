"""Normalisation and validation into canonical lines, and the error report."""

import pytest

from reporting.ingest import MappingError, inspect, normalise, propose_mapping

from .support import ingest, write_text, write_xlsx

CATALOGUE = {"AN-SW-24P", "AN-AP-7", "AN-FW-100"}
HEADER = "Invoice No,Invoice Date,Customer,SKU,Qty,Unit Price,Amount,Currency\n"


def report(tmp_path, body: str, header: str = HEADER, name: str = "r.csv"):
    return write_text(tmp_path, name, header + body)


def test_it_derives_the_amount_from_quantity_and_unit_price(tmp_path):
    header = "Invoice No,Invoice Date,SKU,Qty,Unit Price\n"
    path = report(tmp_path, "A-1,2026-09-01,AN-SW-24P,3,6400.00\n", header)
    _, _, lines, _, _ = ingest(path, vendor_skus=CATALOGUE, default_currency="USD")
    assert lines.select("quantity", "unit_price", "amount", "currency").row(0) == (
        3,
        "6400.00",
        "19200.00",
        "USD",
    )


def test_it_derives_the_unit_price_from_the_amount(tmp_path):
    header = "Invoice No,Invoice Date,SKU,Qty,Ext Price\n"
    path = report(
        tmp_path, "A-1,2026-09-01,AN-SW-24P,3,100.00\nA-2,2026-09-01,AN-AP-7,5,8787.50\n", header
    )
    _, _, lines, _, _ = ingest(path, vendor_skus=CATALOGUE, default_currency="USD")
    assert lines["unit_price"].to_list() == ["33.3333", "1757.50"]
    assert lines["amount"].to_list() == ["100.00", "8787.50"]


def test_it_reports_an_amount_that_disagrees_with_quantity_times_price(tmp_path):
    body = (
        "A-1,2026-09-01,Kunde,AN-SW-24P,3,10.00,30.01,EUR\n"  # a rounding cent: accepted
        "A-2,2026-09-01,Kunde,AN-SW-24P,3,10.00,33.00,EUR\n"
    )
    _, _, lines, errors, _ = ingest(report(tmp_path, body), vendor_skus=CATALOGUE)
    assert lines["invoice_number"].to_list() == ["A-1"]
    error = errors.row(0, named=True)
    assert (error["source_row"], error["column"], error["value"], error["code"]) == (
        3,
        "Amount",
        "33.00",
        "amount_mismatch",
    )
    assert error["message"].startswith("Quantity x unit price is 30.00, but the amount says 33.00")


def test_it_turns_a_return_into_a_negative_quantity_and_amount(tmp_path):
    body = (
        "A-1,2026-09-01,Kunde,AN-SW-24P,-2,10.00,-20.00,EUR\n"
        "A-2,2026-09-01,Kunde,AN-SW-24P,-2,10.00,20.00,EUR\n"  # amount written positive
        "A-3,2026-09-01,Kunde,AN-SW-24P,2,10.00,(20.00),EUR\n"  # only the amount says so
    )
    _, _, lines, errors, _ = ingest(report(tmp_path, body), vendor_skus=CATALOGUE)
    assert errors.height == 0
    assert (
        lines.select("quantity", "unit_price", "amount", "transaction_type").rows()
        == [(-2, "10.00", "-20.00", "return")] * 3
    )


def test_it_resolves_partner_part_numbers_through_aliases(tmp_path):
    header = "Invoice No,Invoice Date,Part No,Qty,Unit Price\n"
    path = report(
        tmp_path, "A-1,2026-09-01,LS-0007,1,10.00\nA-2,2026-09-01,ls-0010,1,10.00\n", header
    )
    aliases = {"LS-0007": "AN-SW-24P", "LS-0010": "AN-AP-7"}
    _, _, lines, errors, _ = ingest(
        path, vendor_skus=CATALOGUE, aliases=aliases, default_currency="USD"
    )
    assert errors.height == 0
    assert lines.select("vendor_sku", "partner_sku").rows() == [
        ("AN-SW-24P", "LS-0007"),
        ("AN-AP-7", "ls-0010"),
    ]


def test_it_resolves_an_alias_written_in_the_sku_column(tmp_path):
    header = "Invoice No,Invoice Date,SKU,Qty,Unit Price\n"
    body = "A-1,2026-09-01,AN-SW-24P,1,10.00\nA-2,2026-09-01,LS-0010,1,10.00\n"
    _, _, lines, _, _ = ingest(
        report(tmp_path, body, header),
        vendor_skus=CATALOGUE,
        aliases={"LS-0010": "AN-AP-7"},
        default_currency="USD",
    )
    assert lines.select("vendor_sku", "partner_sku").rows() == [
        ("AN-SW-24P", ""),
        ("AN-AP-7", "LS-0010"),
    ]


def test_it_reports_an_unknown_sku_with_row_column_and_value(tmp_path):
    body = (
        "A-1,2026-09-01,Kunde,AN-SW-24P,1,10.00,10.00,EUR\n"
        "A-2,2026-09-01,Kunde,AN-XX-1,1,10.00,10.00,EUR\n"
    )
    _, _, lines, errors, _ = ingest(report(tmp_path, body), vendor_skus=CATALOGUE)
    assert lines.height == 1
    assert errors.select("source_row", "column", "value", "code").rows() == [
        (3, "SKU", "AN-XX-1", "unknown_sku")
    ]
    assert "alias" in errors["message"][0]


def test_it_reports_each_problem_of_a_bad_row(tmp_path):
    good = 'A-1,01.09.2026,Kunde,AN-SW-24P,1,"10,00","10,00",EUR\n' * 10
    bad = ",31.02.2026,Kunde,,zwei,abc,,EUR\n"
    _, _, lines, errors, _ = ingest(report(tmp_path, bad + good), vendor_skus=CATALOGUE)
    assert lines.height == 10
    assert sorted(errors["code"].to_list()) == [
        "bad_date",
        "bad_number",
        "bad_quantity",
        "missing_invoice_number",
        "missing_sku",
    ]
    assert set(errors["source_row"].to_list()) == {2}
    bad_date = errors.filter(errors["code"] == "bad_date").row(0, named=True)
    assert bad_date["value"] == "31.02.2026"
    assert "dd.mm.yyyy" in bad_date["message"]


def test_it_takes_the_currency_from_a_symbol_the_header_or_the_partner(tmp_path):
    symbol = report(
        tmp_path, "A-1,2026-09-01,AN-SW-24P,1,€10.00\n", "Invoice,Date,SKU,Qty,Price\n", "s.csv"
    )
    header = report(
        tmp_path, "A-1,2026-09-01,AN-SW-24P,1,10\n", "Invoice,Date,SKU,Qty,Price (JPY)\n", "h.csv"
    )
    default = report(
        tmp_path, "A-1,2026-09-01,AN-SW-24P,1,10.00\n", "Invoice,Date,SKU,Qty,Price\n", "d.csv"
    )
    found = [
        ingest(path, vendor_skus=CATALOGUE, default_currency="CHF")[2]["currency"][0]
        for path in (symbol, header, default)
    ]
    assert found == ["EUR", "JPY", "CHF"]


def test_it_reads_a_bare_dollar_as_the_partners_own_dollar(tmp_path):
    path = report(
        tmp_path,
        "A-1,2026-09-01,AN-SW-24P,1,$10.00\nA-2,2026-09-01,AN-SW-24P,1,US$10.00\n",
        "Invoice,Date,SKU,Qty,Price\n",
    )
    _, _, lines, _, _ = ingest(path, vendor_skus=CATALOGUE, default_currency="CAD")
    assert lines["currency"].to_list() == ["CAD", "USD"]


def test_it_asks_for_a_currency_when_nothing_names_one(tmp_path):
    path = report(tmp_path, "A-1,2026-09-01,AN-SW-24P,1,10.00\n", "Invoice,Date,SKU,Qty,Price\n")
    _, _, lines, errors, _ = ingest(path, vendor_skus=CATALOGUE)
    assert lines.height == 0
    assert errors["code"].to_list() == ["missing_currency"]


def test_it_writes_vnd_and_jpy_without_minor_units(tmp_path):
    body = (
        'A-1,2026-09-01,Kunde,AN-SW-24P,2,"21.158.200","42.316.400",VND\n'
        'A-2,2026-09-01,Kunde,AN-AP-7,3,"1.500","4.500",JPY\n'
    )
    _, _, lines, errors, _ = ingest(report(tmp_path, body), vendor_skus=CATALOGUE)
    assert errors.height == 0
    assert lines.select("unit_price", "amount").rows() == [
        ("21158200", "42316400"),
        ("1500", "4500"),
    ]


def test_it_rejects_a_fractional_quantity(tmp_path):
    body = "A-1,2026-09-01,Kunde,AN-SW-24P,1.5,10.00,15.00,EUR\n"
    _, _, _, errors, _ = ingest(report(tmp_path, body), vendor_skus=CATALOGUE)
    assert errors["code"].to_list() == ["fractional_quantity"]


def test_it_normalises_country_names_to_iso_codes(tmp_path):
    header = "Invoice,Date,SKU,Qty,Price,Land\n"
    body = "".join(
        f"A-{i},2026-09-01,AN-SW-24P,1,10.00,{country}\n"
        for i, country in enumerate(["Deutschland", "at", "Narnia"])
    )
    _, proposal, lines, _, _ = ingest(
        report(tmp_path, body, header), vendor_skus=CATALOGUE, default_currency="EUR"
    )
    assert lines["end_customer_country"].to_list() == ["DE", "AT", "Narnia"]


def test_it_gives_the_same_lines_whatever_the_chunk_size(tmp_path):
    body = "".join(
        f"A-{i},2026-09-{1 + i % 28:02d},Kunde {i},AN-SW-24P,"
        f"{1 + i % 5},10.00,{10 * (1 + i % 5)}.00,EUR\n" + ("\n" if i % 97 == 0 else "")
        for i in range(20_000)
    )
    path = report(tmp_path, body)
    _, _, whole, _, one = ingest(path, vendor_skus=CATALOGUE, chunk_rows=1_000_000)
    _, _, pieces, _, many = ingest(path, vendor_skus=CATALOGUE, chunk_rows=1_000)
    assert len(one) == 1 and len(many) > 5
    assert pieces.equals(whole)
    # The first chunks are smaller and grow (the import's COPY starts on the first one
    # sooner), up to the chunk size.
    sizes = [chunk.rows_read for chunk in many]
    assert sizes[0] < sizes[1] < sizes[2] < sizes[3] and sizes[0] * 6 < sizes[4]
    assert whole["source_row"][-1] == 1 + 20_000 + 207  # header, rows and blank lines
    assert [chunk.progress for chunk in many][-1] == 1.0


def test_it_reads_workbooks_with_real_date_cells_and_numbers(tmp_path):
    import datetime

    rows = [
        ["Invoice No", "Invoice Date", "SKU", "Qty", "Unit Price", "Currency"],
        ["A-1", datetime.date(2026, 9, 1), "AN-SW-24P", 2, 1234.5, "EUR"],
        ["A-2", 46295, "AN-AP-7", 1, "1.234,50", "EUR"],  # a serial and a text number
    ]
    path = write_xlsx(tmp_path, "cells.xlsx", rows)
    _, _, lines, errors, _ = ingest(path, vendor_skus=CATALOGUE)
    assert errors.height == 0
    assert [d.isoformat() for d in lines["invoice_date"]] == ["2026-09-01", "2026-09-30"]
    assert lines["amount"].to_list() == ["2469.00", "1234.50"]


def test_it_makes_lines_ready_for_postgresql_copy(tmp_path):
    body = 'A-1,2026-09-01,"Kunde, ""Zwei""",AN-SW-24P,1,10.00,10.00,EUR\n'
    _, _, _, _, chunks = ingest(report(tmp_path, body), vendor_skus=CATALOGUE)
    copied = chunks[0].copy_csv().decode()
    # Empty text is quoted (an empty string); NULL would be \\N.
    assert copied == (
        'acme-partner,A-1,2026-09-01,"","Kunde, ""Zwei""","",AN-SW-24P,"",1,10.00,10.00,EUR,'
        "2,sale\n"
    )


def test_it_refuses_a_mapping_without_the_required_fields(tmp_path):
    path = report(tmp_path, "A-1,2026-09-01,Kunde,AN-SW-24P,1,10.00,10.00,EUR\n")
    info = inspect(path, path.name)
    fields = propose_mapping(info).fields
    fields[fields.index("quantity")] = "ignore"
    with pytest.raises(MappingError, match="quantity"):
        list(normalise(path, info, fields, partner_slug="p"))


def test_it_needs_a_date_order_for_an_ambiguous_file(tmp_path):
    path = report(tmp_path, "A-1,03/04/2026,Kunde,AN-SW-24P,1,10.00,10.00,EUR\n")
    info = inspect(path, path.name)
    with pytest.raises(MappingError, match="date_order"):
        list(normalise(path, info, propose_mapping(info), partner_slug="p"))
    lines = next(
        normalise(path, info, propose_mapping(info), partner_slug="p", date_order="mdy")
    ).lines
    assert lines["invoice_date"][0].isoformat() == "2026-03-04"
