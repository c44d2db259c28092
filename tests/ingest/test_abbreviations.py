"""Headers as people abbreviate them, in six languages, map without asking; a file whose
only date is a ship/order date uses it as the invoice date, and says so."""

import pytest

from reporting.ingest import inspect, propose_mapping

from .support import ingest, write_text

SKUS = {"RP-SW", "RP-AP"}
# (headers, two rows) per language; every file must map certainly to these fields.
FIELDS = ["invoice_number", "invoice_date", "end_customer", "vendor_sku", "quantity",
          "unit_price", "amount"]  # fmt: skip
ABBREVIATED = {
    "vi": ("Số HĐ,Ngày HĐ,Tên KH,Mã SP,SL,ĐG,TT",
           "HD-1,01/09/2026,Công ty A,RP-SW,2,100000,200000",
           "HD-2,15/09/2026,Công ty B,RP-AP,1,50000,50000"),
    "de": ("Re-Nr.;Re-Datum;Kd-Name;Art.-Nr.;Mge;EP;GP",
           "R-1;01.09.2026;A GmbH;RP-SW;2;10,00;20,00",
           "R-2;15.09.2026;B GmbH;RP-AP;1;5,00;5,00"),
    "fr": ("N° fact.;Date fact.;Client;Réf.;Qté;PU HT;Mt HT",
           "F-1;01/09/2026;A SA;RP-SW;2;10,00;20,00",
           "F-2;15/09/2026;B SA;RP-AP;1;5,00;5,00"),
    "es": ("Nº Fra.;F. Fra.;Cliente;Ref.;Cant.;P.U.;Importe",
           "F-1;01/09/2026;A SL;RP-SW;2;10,00;20,00",
           "F-2;15/09/2026;B SL;RP-AP;1;5,00;5,00"),
    "ja": ("請求No,請求日,得意先名,品番,数量,単価,金額",
           "J-1,2026/09/01,A社,RP-SW,2,1000,2000",
           "J-2,2026/09/15,B社,RP-AP,1,500,500"),
    "en": ("Inv. No.,Inv. Dt.,Cust. Name,Part #,Qty.,Unit Pr.,Ext. Amt.",
           "I-1,09/01/2026,A Inc,RP-SW,2,10.00,20.00",
           "I-2,09/15/2026,B Inc,RP-AP,1,5.00,5.00"),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(ABBREVIATED))
def test_it_maps_abbreviated_headers_without_asking(tmp_path, language):
    path = write_text(tmp_path, f"{language}.csv", "\n".join(ABBREVIATED[language]) + "\n")
    _, proposal, lines, errors, _ = ingest(path, vendor_skus=SKUS, default_currency="EUR")
    assert proposal.certain, proposal.reasons
    assert proposal.fields == FIELDS
    assert errors.height == 0 and lines.height == 2
    assert [str(day) for day in lines["invoice_date"]] == ["2026-09-01", "2026-09-15"]


def test_it_reads_the_everyday_vietnamese_abbreviations_as_a_vietnamese_reader_does(tmp_path):
    text = (
        "Ngày HĐ,Số HĐ,Tên KH,Mã SP,Tên SP,ĐVT,SL,ĐG,TT\n"
        "01/09/2026,0000123,Công ty TNHH An Phát,RP-SW,Phần mềm,Bộ,2,1.000.000,2.000.000\n"
        "15/09/2026,0000124,Công ty CP Bình Minh,RP-AP,Thiết bị,Cái,1,500.000,500.000\n"
    )
    path = write_text(tmp_path, "doanhso.csv", text)
    _, proposal, lines, errors, _ = ingest(path, vendor_skus=SKUS, default_currency="VND")
    assert proposal.certain, proposal.reasons
    headers = text.split("\n")[0].split(",")
    fields = dict(zip(headers, proposal.fields, strict=True))
    assert fields["Ngày HĐ"] == "invoice_date" and fields["Số HĐ"] == "invoice_number"
    assert fields["Tên KH"] == "end_customer" and fields["Mã SP"] == "vendor_sku"
    assert fields["SL"] == "quantity" and fields["ĐG"] == "unit_price"
    assert fields["TT"] == "amount" and fields["ĐVT"] == "ignore"
    assert lines["amount"].to_list() == ["2000000", "500000"] and errors.height == 0


@pytest.mark.parametrize(
    "header",
    ["Ship Date", "Order Date", "Delivery Date", "Lieferdatum", "Ngày giao hàng", "出荷日"],
)
def test_it_uses_the_only_date_column_as_the_invoice_date(tmp_path, header):
    text = (
        f"Invoice No,{header},Customer,SKU,Qty,Price\n"
        "S-1,09/01/2026,Acme,RP-SW,2,10.00\nS-2,09/15/2026,Beta,RP-AP,1,5.00\n"
    )
    path = write_text(tmp_path, "ship.csv", text)
    _, proposal, lines, _, _ = ingest(path, vendor_skus=SKUS, default_currency="USD")
    assert proposal.certain, proposal.reasons
    choice = proposal.columns[1]
    assert choice.field == "invoice_date"
    assert f'"{header}" is the file\'s only date' in choice.reason
    assert [str(day) for day in lines["invoice_date"]] == ["2026-09-01", "2026-09-15"]


def test_it_uses_an_order_number_when_the_file_has_no_invoice_number(tmp_path):
    text = (
        "Order #,Ship Date,Customer,Item,Qty,Price\n"
        "SO-1,09/01/2026,Acme,RP-SW,2,10.00\nSO-2,09/15/2026,Beta,RP-AP,1,5.00\n"
    )
    path = write_text(tmp_path, "orders.csv", text)
    proposal = propose_mapping(inspect(path, path.name), known_vendor_skus=SKUS)
    assert proposal.certain, proposal.reasons
    assert proposal.fields[:2] == ["invoice_number", "invoice_date"]


def test_it_asks_when_two_dates_could_each_be_the_invoice_date(tmp_path):
    # Ordered on one day, shipped on another: a person could not tell which is invoiced.
    text = (
        "Invoice No,Order Date,Ship Date,SKU,Qty,Price\n"
        "S-1,09/01/2026,09/03/2026,RP-SW,2,10.00\nS-2,09/15/2026,09/16/2026,RP-AP,1,5.00\n"
    )
    path = write_text(tmp_path, "two-dates.csv", text)
    proposal = propose_mapping(inspect(path, path.name), known_vendor_skus=SKUS)
    assert not proposal.certain


def test_it_prefers_a_real_invoice_date_over_a_ship_date(tmp_path):
    text = (
        "Invoice No,Ship Date,Invoice Date,SKU,Qty,Price\n"
        "S-1,09/03/2026,09/01/2026,RP-SW,2,10.00\nS-2,09/16/2026,09/15/2026,RP-AP,1,5.00\n"
    )
    path = write_text(tmp_path, "both.csv", text)
    proposal = propose_mapping(inspect(path, path.name), known_vendor_skus=SKUS)
    assert proposal.certain, proposal.reasons
    assert proposal.fields[1:3] == ["ignore", "invoice_date"]
