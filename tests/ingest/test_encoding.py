"""Encoding detection: BOMs, UTF-16, whole-file UTF-8, cp1252 vs cp1250, Shift-JIS."""

import codecs

import pytest

from reporting.ingest import UploadRefused, inspect
from reporting.ingest.encoding import detect_encoding, looks_japanese, looks_western

from .support import write_text

GERMAN = "Rechnungsnummer;Datum;Endkunde;Menge\nR-1;01.09.2026;Bäckerei Groß KG;3\n"
SPANISH = "Factura,Fecha,Cliente,Cantidad\nF-1,2026-09-01,Señor Muñoz España,2\n"


def test_it_reads_a_utf8_bom_and_drops_it_from_the_first_header(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"Invoice No,Date,SKU,Qty,Price\nA,2026-09-01,X,1,2.00\n")
    info = inspect(path, path.name)
    assert info.encoding == "utf-8" and info.bom_length == 3
    assert info.headers[0] == "Invoice No"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_it_reads_excel_unicode_text_with_a_bom(tmp_path, encoding):
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "unicode.txt"
    path.write_bytes(
        bom + "Inv #\tDate\tCustomer\nA-1\t9/13/2026\tNguyễn Văn Bình\n".encode(encoding)
    )
    info = inspect(path, path.name)
    assert info.encoding == encoding
    assert info.sample_rows[0][2] == "Nguyễn Văn Bình"


def test_it_recognises_utf16_without_a_bom_by_its_nul_pattern(tmp_path):
    path = write_text(tmp_path, "nobom.txt", "Invoice\tDate\tQty\nA\t2026-09-01\t1\n", "utf-16-le")
    assert detect_encoding(path).name == "utf-16-le"


def test_it_picks_cp1252_for_german_text_that_statistical_guessing_misreads(tmp_path):
    path = write_text(tmp_path, "de.csv", GERMAN * 20, "cp1252")
    guess = detect_encoding(path)
    assert guess.name == "cp1252"
    assert inspect(path, path.name).sample_rows[0][2] == "Bäckerei Groß KG"


def test_it_keeps_spanish_enye_intact_in_cp1252_not_cp1250(tmp_path):
    path = write_text(tmp_path, "es.csv", SPANISH * 20, "cp1252")
    info = inspect(path, path.name)
    assert info.sample_rows[0][2] == "Señor Muñoz España"


def test_it_reads_shift_jis_japanese(tmp_path):
    text = (
        "請求書番号,請求日,顧客名,品番,数量,単価\n"
        "INV-1,2026/09/01,株式会社さくら,AN-SW-24P,2,150000\n"
    )
    path = write_text(tmp_path, "jp.csv", text * 5, "cp932")
    info = inspect(path, path.name)
    assert info.encoding == "cp932"
    assert info.headers[:3] == ["請求書番号", "請求日", "顧客名"]
    assert info.sample_rows[0][2] == "株式会社さくら"


def test_it_does_not_mistake_german_cp1252_for_japanese():
    as_japanese = (GERMAN * 5).encode("cp1252").decode("cp932", errors="replace")
    assert not looks_japanese(as_japanese)
    assert looks_japanese("請求書番号,請求日,顧客名,株式会社さくら")


def test_it_tells_western_text_from_cyrillic_decoded_as_cp1252():
    cyrillic_as_cp1252 = "Продажи за сентябрь, клиент ООО Ромашка".encode("cp1251").decode("cp1252")
    assert looks_western("Bäckerei Groß KG, Señor Muñoz, Crème brûlée")
    assert not looks_western(cyrillic_as_cp1252)


def test_it_finds_a_cp1252_byte_far_down_an_otherwise_utf8_file(tmp_path):
    head = "Invoice,Date,Customer,Qty\n" + "A,2026-09-01,Plain Customer,1\n" * 60_000
    path = tmp_path / "late.csv"
    path.write_bytes(head.encode() + "B,2026-09-02,Café Noir,1\n".encode("cp1252"))
    assert detect_encoding(path).name == "cp1252"


@pytest.mark.parametrize("block", [1, 2, 3, 5, 4096])
def test_it_reads_utf8_across_block_ends_and_finds_a_bad_byte_past_the_first_block(
    tmp_path, monkeypatch, block
):
    # The whole-file pass reads blocks: a character cut by a block's end is still valid,
    # and a cp1252 byte in a later block is still found, at the line it is on.
    monkeypatch.setattr("reporting.ingest.encoding.BLOCK_BYTES", block)
    rows = "Rechnung;Kunde\n" + "R-1;Bäckerei Groß 😀 日本\n" * 400
    valid = write_text(tmp_path, "valid.csv", rows, "utf-8")
    assert detect_encoding(valid).name == "utf-8"
    late = tmp_path / "late.csv"
    late.write_bytes(rows.encode() + "R-2;Café\n".encode("cp1252"))
    assert detect_encoding(late).name == "cp1252"
    with pytest.raises(UploadRefused) as refused:
        detect_encoding(late, override="utf-8")
    assert "line 402" in str(refused.value)


def test_it_uses_the_partners_saved_encoding(tmp_path):
    path = write_text(tmp_path, "saved.csv", "Kunde;Menge\nČeská Spořitelna;1\n" * 3, "cp1250")
    info = inspect(path, path.name, encoding_override="windows-1250")
    assert info.encoding == "cp1250"
    assert info.sample_rows[0][0] == "Česká Spořitelna"


def test_it_prefers_valid_utf8_over_a_stale_saved_encoding(tmp_path):
    path = write_text(tmp_path, "switched.csv", GERMAN, "utf-8")
    guess = detect_encoding(path, override="cp1252")
    assert guess.name == "utf-8"
    assert "cp1252" in guess.reason


def test_it_refuses_a_file_that_is_not_in_the_encoding_the_user_chose(tmp_path):
    path = write_text(tmp_path, "wrong.csv", "Kunde;Menge\n" + "Müller;1\n" * 3, "cp1252")
    with pytest.raises(UploadRefused) as refused:
        detect_encoding(path, override="utf-8")
    assert refused.value.code == "wrong_encoding"
    assert "line 2" in str(refused.value)


def test_it_refuses_an_encoding_name_it_does_not_know(tmp_path):
    path = write_text(tmp_path, "x.csv", "a;b\n1;2\n")
    with pytest.raises(UploadRefused, match="not known"):
        detect_encoding(path, override="klingon-8")
