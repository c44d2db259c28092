"""Column mapping from multilingual headers, fuzzy names and the values themselves."""

import pytest

from reporting.ingest import header_signature, inspect, propose_mapping
from reporting.ingest.mapping import header_scores

from .support import field_of, ingest, write_text

ROWS = [
    ["F-1", "01/09/2026", "Client Un", "AN-SW-24P", "2", "10,50", "21,00", "EUR"],
    ["F-2", "15/09/2026", "Client Deux", "AN-AP-7", "1", "5,00", "5,00", "EUR"],
    ["F-3", "30/09/2026", "Client Trois", "AN-FW-100", "4", "7,25", "29,00", "EUR"],
]
EXPECTED_FIELDS = [
    "invoice_number",
    "invoice_date",
    "end_customer",
    "vendor_sku",
    "quantity",
    "unit_price",
    "amount",
    "currency",
]


def table(header: list[str], rows=ROWS, delimiter=";") -> str:
    return "\n".join(delimiter.join(row) for row in [header, *rows]) + "\n"


@pytest.mark.parametrize(
    "header",
    [
        [
            "N° de facture",
            "Date de facture",
            "Client final",
            "Référence",
            "Quantité",
            "Prix unitaire",
            "Montant",
            "Devise",
        ],
        [
            "Número de factura",
            "Fecha",
            "Cliente",
            "Código",
            "Cantidad",
            "Precio unitario",
            "Importe",
            "Moneda",
        ],
        [
            "Rechnungsnr.",
            "Belegdatum",
            "Kunde",
            "Art.-Nr.",
            "Anzahl",
            "Stückpreis",
            "Betrag",
            "Whg",
        ],
        [
            "So hoa don",
            "Ngay hoa don",
            "Khach hang",
            "Ma hang",
            "So luong",
            "Don gia",
            "Thanh tien",
            "Loai tien",
        ],
        [
            "Số hóa đơn",
            "Ngày hóa đơn",
            "Khách hàng",
            "Mã hàng",
            "Số lượng",
            "Đơn giá",
            "Thành tiền",
            "Tiền tệ",
        ],
        ["請求書番号", "請求日", "顧客名", "品番", "数量", "単価", "金額", "通貨"],
        [
            "Invoice #",
            "Inv. Date",
            "End User",
            "Mfr Part No",
            "Qty",
            "Price Each",
            "Ext. Amount",
            "Curr.",
        ],
    ],
    ids=[
        "french",
        "spanish",
        "german-abbreviated",
        "vietnamese-plain",
        "vietnamese",
        "japanese",
        "english-abbreviated",
    ],
)
def test_it_maps_headers_in_many_languages(tmp_path, header):
    path = write_text(tmp_path, "report.csv", table(header))
    info = inspect(path, path.name)
    proposal = propose_mapping(info)
    assert proposal.fields == EXPECTED_FIELDS
    assert proposal.certain, proposal.reasons


def test_it_forgives_typos_in_headers():
    assert max(header_scores("Invocie Number").get("invoice_number", (0, ""))[0], 0) > 0.75
    assert header_scores("Quantitiy")["quantity"][0] > 0.75


def test_it_reads_a_known_name_inside_a_longer_header():
    assert header_scores("Invoice Date (dd.mm.yyyy)")["invoice_date"][0] >= 0.8


def test_it_recognises_a_currency_column_by_its_values(tmp_path):
    header = [
        "Invoice No",
        "Invoice Date",
        "Customer",
        "SKU",
        "Qty",
        "Unit Price",
        "Total",
        "Cur-X",
    ]
    path = write_text(tmp_path, "codes.csv", table(header))
    proposal = propose_mapping(inspect(path, path.name))
    assert field_of(proposal, "Cur-X") == "currency"


def test_it_tells_partner_part_numbers_from_catalogue_skus_by_their_values(tmp_path):
    rows = [
        ["A-1", "2026-09-01", "LS-0007", "AN-SW-24P", "1", "10.00"],
        ["A-2", "2026-09-02", "LS-0010", "AN-AP-7", "2", "20.00"],
    ]
    header = ["Invoice", "Date", "Item", "Product", "Qty", "Price"]
    path = write_text(tmp_path, "both.csv", table(header, rows, ","))
    proposal = propose_mapping(
        inspect(path, path.name),
        known_vendor_skus={"AN-SW-24P", "AN-AP-7"},
        known_partner_skus={"LS-0007", "LS-0010"},
    )
    assert field_of(proposal, "Item") == "partner_sku"
    assert field_of(proposal, "Product") == "vendor_sku"


def test_it_tells_unit_price_from_extended_price_by_the_arithmetic(tmp_path):
    rows = [
        ["A-1", "2026-09-01", "X", "3", "30.00", "10.00"],
        ["A-2", "2026-09-02", "X", "2", "11.00", "5.50"],
        ["A-3", "2026-09-03", "X", "4", "29.00", "7.25"],
    ]
    # The partner labelled its columns the wrong way round.
    header = ["Invoice", "Date", "SKU", "Qty", "Unit Price", "Line Total"]
    path = write_text(tmp_path, "swapped.csv", table(header, rows, ","))
    proposal = propose_mapping(inspect(path, path.name))
    assert field_of(proposal, "Unit Price") == "amount"
    assert field_of(proposal, "Line Total") == "unit_price"


def test_it_asks_when_it_cannot_find_the_required_columns(tmp_path):
    header = ["Col A", "Col B", "Col C", "Col D", "Col E", "Col F", "Col G", "Col H"]
    path = write_text(tmp_path, "mystery.csv", table(header))
    proposal = propose_mapping(inspect(path, path.name))
    assert not proposal.certain
    assert any("invoice number" in reason for reason in proposal.reasons)


def test_it_asks_for_the_day_month_order_when_no_date_proves_it(tmp_path):
    rows = [["A-1", "03/04/2026", "X", "1", "2.00"], ["A-2", "05/06/2026", "X", "1", "2.00"]]
    path = write_text(
        tmp_path, "ambiguous.csv", table(["Invoice", "Date", "SKU", "Qty", "Price"], rows, ",")
    )
    info = inspect(path, path.name)
    assert info.date_order == "ambiguous"
    proposal = propose_mapping(info)
    assert not proposal.certain
    assert any("day/month" in reason for reason in proposal.reasons)


def test_it_uses_the_partners_saved_date_order_for_an_ambiguous_file(tmp_path):
    rows = [["A-1", "03/04/2026", "X", "1", "2.00"], ["A-2", "05/06/2026", "X", "1", "2.00"]]
    path = write_text(
        tmp_path, "saved.csv", table(["Invoice", "Date", "SKU", "Qty", "Price"], rows, ",")
    )
    info, proposal, lines, _, _ = ingest(path, saved_date_order="dmy", default_currency="EUR")
    assert (info.date_order, info.date_order_source) == ("dmy", "saved")
    assert proposal.certain
    assert [d.isoformat() for d in lines["invoice_date"]] == ["2026-04-03", "2026-06-05"]


def test_it_decides_the_date_order_from_a_row_beyond_the_sample(tmp_path):
    early = "".join(f"A-{i},03/04/2026,X,1,2.00\n" for i in range(6_000))
    path = write_text(
        tmp_path, "late.csv", "Invoice,Date,SKU,Qty,Price\n" + early + "B,25/04/2026,X,1,2.00\n"
    )
    info = inspect(path, path.name)
    assert not info.sample_is_whole_file  # the proof lies past the sampled rows
    assert info.date_order == "dmy"


def test_it_signs_headers_stably_and_tells_different_layouts_apart():
    headers = ["Invoice No", "Date", "SKU"]
    assert header_signature(headers) == header_signature(["invoice  no", "DATE", "SKU "])
    assert header_signature(headers) != header_signature(["Date", "Invoice No", "SKU"])


def test_it_round_trips_proposals_and_file_info_through_json(tmp_path):
    import json

    from reporting.ingest import FileInfo, MappingProposal

    path = write_text(
        tmp_path,
        "json.csv",
        table(["Invoice", "Date", "Customer", "SKU", "Qty", "Price", "Total", "Currency"]),
    )
    info = inspect(path, path.name)
    proposal = propose_mapping(info)
    info_again = FileInfo.from_dict(json.loads(json.dumps(info.to_dict())))
    proposal_again = MappingProposal.from_dict(json.loads(json.dumps(proposal.to_dict())))
    assert info_again == info
    assert proposal_again == proposal
