"""How much memory a sheet will take in calamine, found by scanning its XML first.

calamine builds every sheet as a *dense* grid: (last row - first row + 1) x (last column -
first column + 1) cells of 32 bytes each, whatever lies between. One value cell at A1 and
one at XFD1048576 therefore make a 5 KB .xlsx that asks for 512 GB, and the allocation
failure aborts the whole worker process (no Python exception to catch). An OpenDocument
row or cell may also say "repeat me 16,000 times". So before calamine opens a workbook,
`guard.py` streams each sheet part through one of these scanners, which track the extent
of the cells that hold a value (calamine skips empty styled cells) and stop as soon as
the grid passes the limit.

XLSX: cells normally carry their reference first (`<c r="B7" ...>`, as Excel, openpyxl
and xlsxwriter write them); those are read with two C-speed regex passes per block. A
cell without a reference (allowed: its position follows the previous cell) or with
other attributes first sends the block through a slower tag-by-tag walk that tracks
positions the way calamine does.
"""

import re

from .errors import UploadRefused

MAX_SHEET_CELLS = 25_000_000  # x 32 bytes = 800 MB of calamine grid, the most we allow
_TAG_LIMIT = 1 << 20  # an unfinished tag longer than this is not XML a spreadsheet has

# Literal prefixes keep these fast (~150 MB/s); `(?<!/)>` leaves out empty `<c .../>`.
# They serve only blocks written the common way (see `_plain`); anything else is walked.
_VALUE_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"[^>]*(?<!/)>')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_ROW_NUMBER = re.compile(rb'<row r="(\d{1,7})"')
# A start or end tag of a row or cell as an XML parser reads it: any namespace prefix,
# attributes quoted with " or ', spaces around "=", and ">" allowed inside values.
_ATTRIBUTES = rb"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)"""
_XLSX_TOKEN = re.compile(rb"<(/?)(?:[\w.\-]+:)?(row|c)" + _ATTRIBUTES + rb"\s*(/?)>")
_ATTRIBUTE_R = re.compile(
    rb"""(?:^|\s)r\s*=\s*(?:"\s*([A-Za-z]{0,3})\s*(\d{0,7})\s*"|'\s*([A-Za-z]{0,3})\s*(\d{0,7})\s*')"""
)
# Anything that could make the literal fast path misread a block: single quotes, spaces
# around "=", an attribute value holding ">", a prefixed or lower-case reference.
_UNUSUAL = re.compile(rb"""'|\s=|=\s|"[^"<]*>[^"<]*"|<[\w.\-]+:c\b|r="[a-z]""")
# A tag up to its real end: a ">" inside a quoted attribute value does not end it.
_COMPLETE_TAG = re.compile(rb"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
_ODS_TOKEN = re.compile(
    rb"<(/?)(?:[\w.\-]+:)?(table-row|table-cell|covered-table-cell|table)"
    + _ATTRIBUTES
    + rb"\s*(/?)>"
)
_ODS_REPEAT = {
    b"table-row": re.compile(rb"""number-rows-repeated\s*=\s*["']\s*(\d+)"""),
    b"cell": re.compile(rb"""number-columns-repeated\s*=\s*["']\s*(\d+)"""),
}


def column_number(letters: bytes) -> int:
    """1-based column number of a reference's letters (b"A" -> 1, b"XFD" -> 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _Extent:
    """Bounding box of the value cells seen so far; refuses once it is too large."""

    def __init__(self) -> None:
        self.rows = (0, 0)  # first, last (1-based; 0 = none yet)
        self.columns = (0, 0)
        self.pending = b""

    def add(self, first_row: int, last_row: int, first_column: int, last_column: int) -> None:
        low, high = self.rows
        self.rows = (min(low, first_row) if low else first_row, max(high, last_row))
        low, high = self.columns
        self.columns = (
            min(low, first_column) if low else first_column,
            max(high, last_column),
        )
        height = self.rows[1] - self.rows[0] + 1
        width = self.columns[1] - self.columns[0] + 1
        if height * width > MAX_SHEET_CELLS:
            raise UploadRefused(
                "sheet_too_large",
                rows=height,
                columns=width,
                cells=_millions(height * width),
                limit=_millions(MAX_SHEET_CELLS),
            )

    def feed(self, block: bytes) -> None:
        """Scan the complete tags of `pending + block`; keep an unfinished tag for later."""
        data = self.pending + block
        opening = data.rfind(b"<")  # "<" cannot stand in XML text or attribute values
        complete = opening < 0 or _COMPLETE_TAG.match(data, opening) is not None
        cut = len(data) if complete else opening
        self.pending = data[cut:]
        if len(self.pending) > _TAG_LIMIT:
            raise UploadRefused("zip_corrupt")
        if cut:
            self.scan(data[:cut])

    def scan(self, data: bytes) -> None:
        raise NotImplementedError


class XlsxSheetExtent(_Extent):
    """Feed a worksheet part's XML in blocks (`feed`); raises `UploadRefused` if too big."""

    def __init__(self) -> None:
        super().__init__()
        self.row = 0  # the row being read and the last column in it (positional cells)
        self.column = 0
        self.in_sheet = False

    def scan(self, data: bytes) -> None:
        if not self.in_sheet:
            found = re.search(rb"<(?:\w+:)?sheetData\b", data)
            if found is None:
                return  # still in the part's preamble (or not a worksheet at all)
            self.in_sheet = True
            data = data[found.start() :]
        cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
        cells += data.count(b"<c\t") + data.count(b"<c\n") + data.count(b"<c\r")
        if cells == data.count(b'<c r="') and _UNUSUAL.search(data) is None:
            self._scan_referenced(data)
        else:
            self._walk(data)

    def _scan_referenced(self, data: bytes) -> None:
        """Every cell starts with its reference: two regex passes, no Python per cell."""
        columns = set(_VALUE_CELL_COLUMN.findall(data))
        if columns:
            numbers = [column_number(letters) for letters in columns]
            rows = [int(number) for number in set(_CELL_ROW.findall(data))]
            self.add(min(rows), max(rows), min(numbers), max(numbers))
        # Where the positional counters stand, for a later block without references.
        rows = _ROW_NUMBER.findall(data[data.rfind(b"<row") :])
        if rows:
            self.row, self.column = int(rows[-1]), 0
        last_cell = data.rfind(b'<c r="')
        if last_cell > data.rfind(b"<row"):
            self.column = column_number(re.match(rb'<c r="([A-Z]{0,3})', data[last_cell:]).group(1))

    def _walk(self, data: bytes) -> None:
        """Tag by tag, as calamine positions cells that have no reference."""
        for closing, name, attributes, empty in _XLSX_TOKEN.findall(data):
            if closing:
                continue
            letters, digits = _reference(attributes)
            if name == b"row":
                self.row = int(digits) if digits else (self.row + 1)
                self.column = 0
                continue
            if letters:
                self.column = column_number(letters)
                if digits:
                    self.row = int(digits)
            else:
                self.column += 1
            if not empty:
                row = max(self.row, 1)
                self.add(row, row, self.column, self.column)


def _reference(attributes: bytes) -> tuple[bytes, bytes]:
    """(column letters, row digits) of a tag's `r` attribute, however quoted or spaced."""
    found = _ATTRIBUTE_R.search(attributes or b"")
    if found is None:
        return b"", b""
    if found.group(1) is not None:
        return found.group(1), found.group(2)
    return found.group(3), found.group(4)


class OdsSheetExtent(_Extent):
    """The same for OpenDocument `content.xml`, counting repeated rows and cells."""

    def __init__(self) -> None:
        super().__init__()
        self.row = 0
        self.row_repeat = 1
        self.column = 0
        self.row_last_column = 0
        self.row_first_column = 0

    def scan(self, data: bytes) -> None:
        for closing, name, attributes, empty in _ODS_TOKEN.findall(data):
            if name == b"table":
                if not closing:
                    self.rows = (0, 0)
                    self.columns = (0, 0)
                    self.row = 0
                continue
            if name == b"table-row":
                if closing:
                    self._end_row()
                else:
                    repeat = _ODS_REPEAT[b"table-row"].search(attributes)
                    self.row_repeat = int(repeat.group(1)) if repeat else 1
                    self.column = 0
                    self.row_first_column = self.row_last_column = 0
                    if empty:
                        self._end_row()
                continue
            if closing:
                continue
            repeat = _ODS_REPEAT[b"cell"].search(attributes)
            count = int(repeat.group(1)) if repeat else 1
            if b"value-type" in attributes:  # calamine skips cells without a value
                self.row_first_column = self.row_first_column or self.column + 1
                self.row_last_column = self.column + count
            self.column += count

    def _end_row(self) -> None:
        if self.row_last_column:
            self.add(
                self.row + 1,
                self.row + self.row_repeat,
                self.row_first_column,
                self.row_last_column,
            )
        self.row += self.row_repeat
        self.row_repeat = 1


def _millions(cells: int) -> str:
    return f"{cells / 1_000_000:.1f}".rstrip("0").rstrip(".")
