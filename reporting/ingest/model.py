"""The core's results: what a file is (`FileInfo`), how to read it (`MappingProposal`),
and what came out of it (`Chunk`).

`FileInfo` and `MappingProposal` serialise to plain JSON (`to_dict`/`from_dict`) so the
web layer can keep them on an upload row, show them, let a person correct them and hand
them back to `normalise()`.
"""

import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import polars as pl

from .values import ColumnProfile, DateStyle, NumberStyle
from .vocabulary import CANONICAL_FIELDS

# Columns of a normalised line, in export order, then what is stored but not exported.
LINE_COLUMNS = ("partner", *CANONICAL_FIELDS)
STORED_COLUMNS = ("source_row", "transaction_type")
ERROR_COLUMNS = ("source_row", "column", "value", "code", "message")


_MARKER = re.compile("\x00[#@]")


def json_safe(value: Any) -> Any:
    """`value` with no NUL anywhere (PostgreSQL text and jsonb refuse it) and no native
    cell marker: what is stored or shown is what a person sees in the cell."""
    if isinstance(value, str):
        return _MARKER.sub("", value).replace("\x00", "")
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


@dataclass
class FileInfo:
    """Everything detected about one uploaded file, before any mapping."""

    filename: str
    file_format: str  # csv (any delimited text) | xlsx | xls | ods
    size: int
    headers: list[str]
    header_row: int  # 1-based row (text: record) number of the header, as the user sees it
    columns: list[ColumnProfile]
    sample_rows: list[list[str]] = field(default_factory=list)
    sample_row_numbers: list[int] = field(default_factory=list)
    encoding: str | None = None
    encoding_reason: str | None = None
    encoding_certain: bool = True
    bom_length: int = 0
    delimiter: str | None = None
    data_offset: int = 0  # text files: UTF-8 byte offset of the first data record
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    title_rows: list[str] = field(default_factory=list)
    footer_rows: list[dict[str, Any]] = field(default_factory=list)
    blank_rows: int = 0
    repeated_headers: list[int] = field(default_factory=list)  # header printed again
    group_labels: list[str] = field(default_factory=list)  # label row of a grouped header
    group_names: list[str] = field(default_factory=list)  # its lower row, as written
    ragged_rows: int = 0
    sample_is_whole_file: bool = True
    estimated_rows: int | None = None
    date_order: str | None = None  # "dmy" | "mdy" | "ambiguous" | None (no numeric dates)
    date_order_source: str | None = None  # "values" | "saved" | None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FileInfo":
        data = dict(data)
        columns = []
        for column in data.pop("columns"):
            column = dict(column)
            number = column.pop("number", None)
            date = column.pop("date", None)
            columns.append(
                ColumnProfile(
                    **column,
                    number=NumberStyle(**number) if number else None,
                    date=DateStyle(**date) if date else None,
                )
            )
        return cls(columns=columns, **data)


@dataclass
class ColumnChoice:
    """The field proposed for one column, how sure the proposal is, and why."""

    index: int
    header: str
    field: str  # a canonical field or "ignore"
    confidence: float
    reason: str
    alternatives: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class MappingProposal:
    """A field for every column; `certain` means it may be used without asking anyone."""

    columns: list[ColumnChoice]
    certain: bool
    reasons: list[str]
    signature: str

    @property
    def fields(self) -> list[str]:
        """Field per column index, the form `normalise()` takes and a partner's saved one."""
        return [choice.field for choice in self.columns]

    def to_dict(self) -> dict[str, Any]:
        return json_safe(asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "MappingProposal":
        data = dict(data)
        columns = [
            ColumnChoice(**{**choice, "alternatives": [tuple(a) for a in choice["alternatives"]]})
            for choice in data.pop("columns")
        ]
        return cls(columns=columns, **data)


@dataclass
class Chunk:
    """One slice of the file, normalised: good lines, row errors and row counts.

    `lines` has `LINE_COLUMNS + STORED_COLUMNS`: text columns are strings ("" when the
    report has no value), `invoice_date` a date, `quantity` and `source_row` integers,
    `unit_price` and `amount` plain decimal text with a dot and the currency's minor
    units (PostgreSQL `numeric` keeps that scale). `errors` has `ERROR_COLUMNS`.
    """

    index: int
    lines: pl.DataFrame
    errors: pl.DataFrame
    rows_read: int
    blank_rows: int
    skipped_rows: int  # totals, repeated headers
    progress: float  # 0..1 of the file read so far
    first_row: int | None = None
    last_row: int | None = None

    @property
    def error_rows(self) -> int:
        return self.errors.get_column("source_row").n_unique() if self.errors.height else 0

    def copy_csv(self, columns: tuple[str, ...] = LINE_COLUMNS + STORED_COLUMNS) -> bytes:
        """The lines as CSV without header, for `COPY ... FROM STDIN (FORMAT csv, NULL '\\N')`.

        Empty text stays an empty string (not NULL), as the canonical line wants.
        """
        buffer = io.BytesIO()
        self.lines.select(columns).write_csv(buffer, include_header=False, null_value="\\N")
        return buffer.getvalue()
