"""Spreadsheets (XLSX, XLS, ODS) through python-calamine.

Cells become strings so one normaliser serves text files and workbooks alike. Typed
cells keep their meaning through a marker that no text file can contain (text files
with NUL bytes are refused): a real number cell becomes `NATIVE_NUMBER + "1234.5"` and a
real date cell `NATIVE_DATE + "2026-09-01"`, so a numeric cell is never re-read with
the column's decimal-comma style and a date cell never needs a day/month decision.

calamine loads a whole sheet into memory as a dense grid (it has no streaming reader), so
each sheet is loaded once per pass (`load_sheet`), and the upload size limit and the zip
and sheet-extent checks in `guard.py` (`extent.py`), done before this module opens a
file, bound it.
"""

import datetime
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import polars as pl
from python_calamine import CalamineSheet, CalamineWorkbook, PasswordError

from .errors import UploadRefused
from .textfile import column_name

NATIVE_NUMBER = "\x00#"
NATIVE_DATE = "\x00@"


def open_workbook(path: Path) -> CalamineWorkbook:
    """Open a workbook, turning library errors into messages a partner can act on."""
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError as error:
        raise UploadRefused("encrypted_workbook") from error
    except MemoryError:  # out of memory is not damage: the confined child reports it
        raise
    except Exception as error:  # calamine raises several types for damaged files
        raise UploadRefused("zip_corrupt") from error


def visible_sheet_names(workbook: CalamineWorkbook) -> list[str]:
    """Worksheets a person sees when opening the file, in tab order (hidden ones last)."""
    visible, hidden = [], []
    for metadata in workbook.sheets_metadata:
        if "WorkSheet" not in str(metadata.typ):
            continue
        (visible if "Visible" in str(metadata.visible) else hidden).append(metadata.name)
    return visible + hidden


def cell_text(value) -> str:
    """One cell as a string; numbers and dates carry the native markers."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        # `_x0000_` in OOXML decodes to NUL: dropped, so no string cell can pass for a
        # native marker, and nothing stored carries a NUL (PostgreSQL refuses it).
        return value.replace("\x00", "").strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return NATIVE_NUMBER + str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return NATIVE_NUMBER + str(int(value))
        return NATIVE_NUMBER + format(Decimal(repr(value)), "f")
    if isinstance(value, datetime.datetime):
        return NATIVE_DATE + value.date().isoformat()
    if isinstance(value, datetime.date):
        return NATIVE_DATE + value.isoformat()
    return str(value).strip()


def display_text(cell: str | None) -> str:
    """What a person sees in the cell: the string without any native marker."""
    if not cell:
        return ""
    if cell.startswith((NATIVE_NUMBER, NATIVE_DATE)):
        return cell[2:]
    return cell


def load_sheet(workbook: CalamineWorkbook, sheet: str) -> CalamineSheet:
    """The whole sheet, read once (every `get_sheet_by_name` call parses it again)."""
    try:
        return workbook.get_sheet_by_name(sheet)
    except MemoryError:
        raise
    except Exception as error:  # CalamineError for malformed XML, bad cell references...
        raise UploadRefused("zip_corrupt") from error


def sheet_rows(data: CalamineSheet) -> Iterator[list[str]]:
    """Rows of a loaded sheet as lists of cell strings; row i is spreadsheet row i + 1.

    Blank rows (calamine gives "" for an empty cell) skip the per-cell conversion: a
    sheet with a stray cell far below the table is mostly blank rows.
    """
    for row in data.iter_rows():
        if row.count("") == len(row):
            yield [""] * len(row)
        else:
            yield [cell_text(value) for value in row]


def iter_sheet_rows(workbook: CalamineWorkbook, sheet: str) -> Iterator[list[str]]:
    """Rows of a sheet as lists of cell strings; row i is spreadsheet row i + 1."""
    yield from sheet_rows(load_sheet(workbook, sheet))


def iter_sheet_frames(
    path: Path, sheet: str, first_data_row: int, width: int, chunk_rows: int
) -> Iterator[tuple[pl.DataFrame, float]]:
    """Yield (frame of c0..c{width} strings plus `source_row`, progress 0..1) chunks.

    `first_data_row` is the 1-based spreadsheet row of the first data row.
    """
    loaded = load_sheet(open_workbook(path), sheet)
    total_rows = max(1, loaded.height)
    names = [column_name(index) for index in range(width + 1)]
    columns: list[list[str | None]] = [[] for _ in names]
    row_numbers: list[int] = []

    def frame() -> pl.DataFrame:
        data = {name: column for name, column in zip(names, columns, strict=True)}
        data["source_row"] = row_numbers
        schema = {name: pl.String for name in names} | {"source_row": pl.Int64}
        return pl.DataFrame(data, schema=schema)

    for row_number, row in enumerate(sheet_rows(loaded), start=1):
        if row_number < first_data_row:
            continue
        row_numbers.append(row_number)
        if row.count("") == len(row):
            for column in columns:
                column.append(None)
        else:
            _append_cells(columns, row, width)
        if len(row_numbers) >= chunk_rows:
            yield frame(), row_number / total_rows
            columns = [[] for _ in names]
            row_numbers = []
    if row_numbers:
        yield frame(), 1.0


def _append_cells(columns: list[list[str | None]], row: list[str], width: int) -> None:
    """One row's cells into the column lists (a value past the header goes to the spare)."""
    cells = row[: width + 1]
    cells += [""] * (width + 1 - len(cells))
    if len(row) > width + 1 and any(row[width + 1 :]):
        cells[width] = cells[width] or next(cell for cell in row[width + 1 :] if cell)
    for column, cell in zip(columns, cells, strict=True):
        column.append(cell or None)
