"""Delimited text files: delimiter sniffing, sample rows, and record-aligned chunks.

The hot path reads the file in blocks of a few MB (transcoded to UTF-8 when needed), cuts
each block at a record boundary and parses it with polars as all-string columns. Memory
therefore depends on the block size, not on the file size.

Record boundaries: a newline ends a record unless it sits inside a quoted value, i.e.
when the number of quote characters before it (since the block's start, itself a
boundary) is even. Files with stray unquoted `"` characters (`Monitor 27"`) break that
count; the search for a boundary then gives up after a short distance and cuts at the
last newline, and any block polars cannot parse is parsed by the stdlib `csv` module.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from .encoding import EncodingGuess, iter_utf8_blocks
from .errors import UploadRefused

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 500
FIELD_LIMIT = 131_072  # the stdlib default, kept on purpose: no report needs more
CHUNK_BYTES = 8 << 20
_BOUNDARY_SEARCH = 65_536
_QUOTE = ord('"')


def column_name(index: int) -> str:
    """Name of the raw string column holding the file's `index`-th column."""
    return f"c{index}"


def sniff_delimiter(text: str, extension: str = "") -> str:
    """The delimiter that splits the sample's lines into the most consistent columns.

    Title rows above the table have fewer fields, so the score is how many lines share
    the most common field count, weighted by that count; a tab wins ties for .tsv.
    """
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(row)
                for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
                if row
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        modal_width, frequency = Counter(counts).most_common(1)[0]
        if modal_width < 2:
            continue
        score = frequency / len(counts) * min(modal_width, 12)
        if delimiter == "\t" and extension == "tsv":
            score *= 1.5
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_sample(text: str, delimiter: str, max_rows: int) -> tuple[list[list[str]], bool]:
    """Rows of the sample text as lists of strings, and whether the sample ended early.

    The last line of a cut sample may be incomplete; it is dropped unless the sample is
    the whole file.
    """
    csv.field_size_limit(FIELD_LIMIT)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) >= max_rows:
                return rows, True
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise UploadRefused(
                "field_too_long", line=reader.line_num, limit_kb=FIELD_LIMIT // 1024
            ) from error
        raise UploadRefused("no_table") from error
    return rows, False


def data_offset(text: str, delimiter: str, records_to_skip: int) -> int:
    """UTF-8 byte offset just after the first `records_to_skip` records of `text`.

    Uses the stdlib parser (the one that found the header) so title rows containing
    stray quotes are counted the same way they were read.
    """
    consumed: list[int] = []

    def lines():
        for line in io.StringIO(text, newline=""):
            consumed.append(len(line.encode("utf-8")))
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    for _ in range(records_to_skip):
        next(reader)
    return sum(consumed)


def _record_boundary(block: bytes) -> int:
    """Index just after the last newline of `block` that ends a whole record (0 if none)."""
    end = len(block)
    quotes_before_end = block.count(_QUOTE)
    limit = max(0, end - _BOUNDARY_SEARCH)
    position = block.rfind(b"\n", limit, end)
    while position >= 0:
        quotes_before_end -= block.count(_QUOTE, position, end)
        end = position
        if quotes_before_end % 2 == 0:
            return position + 1
        position = block.rfind(b"\n", limit, end)
    # Stray quotes (or one giant quoted value): fall back to the last plain newline.
    return block.rfind(b"\n") + 1


def iter_record_blocks(
    path: Path,
    guess: EncodingGuess,
    start: int,
    chunk_bytes: int = CHUNK_BYTES,
    first_bytes: int | None = None,
) -> Iterator[tuple[bytes, int]]:
    """Yield (UTF-8 bytes of whole records, source bytes consumed) from UTF-8 offset `start`.

    `start` counts bytes of the UTF-8 text (after the BOM), as `data_offset` returns it.
    With `first_bytes`, the first block is about that long and each next one twice the
    one before, up to `chunk_bytes`: a consumer that works on one block while the next
    is prepared (the import: COPY while normalising) starts sooner.
    """
    pending = b""
    to_skip = start
    limit = min(chunk_bytes, first_bytes or chunk_bytes)
    for block, consumed in iter_utf8_blocks(path, guess, chunk_bytes):
        if to_skip:
            skipped = min(to_skip, len(block))
            block = block[skipped:]
            to_skip -= skipped
            if not block:
                continue
        pending += block
        while len(pending) >= limit:
            cut = _record_boundary(pending if limit >= chunk_bytes else pending[:limit])
            if cut == 0:
                if limit >= chunk_bytes:
                    break  # one record longer than a block: keep reading
                limit = chunk_bytes
                continue
            yield pending[:cut], consumed
            pending = pending[cut:]
            limit = min(chunk_bytes, limit * 2)
    if pending.strip(b"\r\n"):
        yield pending, path.stat().st_size


def parse_block(block: bytes, delimiter: str, width: int, first_row: int = 1) -> pl.DataFrame:
    """All-string frame of a block of records: columns c0..c{width-1} plus one spare.

    The spare column catches rows with more values than the header (they become
    `ragged_row` errors). Blank lines stay as all-null rows so row numbers stay true.
    `first_row` is the record number of the block's first record (for messages).
    """
    names = [column_name(index) for index in range(width + 1)]
    header = delimiter.join(names).encode("utf-8") + b"\n"
    try:
        return pl.read_csv(
            header + block,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        ).select(names)
    except pl.exceptions.PolarsError:
        return _parse_block_with_stdlib(block, delimiter, names, first_row)


def _parse_block_with_stdlib(
    block: bytes, delimiter: str, names: list[str], first_row: int = 1
) -> pl.DataFrame:
    """Slow but forgiving parse (stray quotes), used only for blocks polars refuses.

    A value past the field limit (an unclosed quote swallowing the rest of the file,
    found after the sample) refuses the file as the sample check would have.
    """
    csv.field_size_limit(FIELD_LIMIT)
    width = len(names)
    columns: list[list[str | None]] = [[] for _ in names]
    text = block.decode("utf-8", errors="replace")
    records = 0
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells = row[:width] + [None] * (width - len(row[:width]))
            for column, cell in zip(columns, cells, strict=True):
                column.append(cell if cell != "" else None)
            records += 1
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise
        raise UploadRefused(
            "field_too_long", line=first_row + records, limit_kb=FIELD_LIMIT // 1024
        ) from error
    return pl.DataFrame(
        {name: column for name, column in zip(names, columns, strict=True)},
        schema={name: pl.String for name in names},
    )
