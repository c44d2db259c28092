"""`inspect()`: detect a file's format, encoding, delimiter, sheet, header and column styles.

Reads a sample (the first few thousand rows), never the whole file, except for one
cheap pass over a text file whose dates are still ambiguous after the sample: the
day/month order is decided per file from *all* values, as the specification asks.
"""

from collections import Counter
from pathlib import Path

import polars as pl

from .encoding import (
    SAMPLE_BYTES,
    EncodingGuess,
    decode_sample,
    detect_encoding,
    is_printable_text,
)
from .errors import UploadRefused
from .layout import (
    filled_count,
    find_header,
    grouped_header,
    is_blank,
    is_total_row,
    known_header_share,
    names_below,
)
from .model import FileInfo
from .text import currency_from_token, split_header_currency
from .textfile import (
    MAX_COLUMNS,
    column_name,
    data_offset,
    iter_record_blocks,
    parse_block,
    parse_sample,
    sniff_delimiter,
)
from .values import (
    ZERO_DECIMAL_CURRENCIES,
    ColumnProfile,
    decide_date_order,
    profile_column,
    read_date_shape,
)
from .workbook import display_text, load_sheet, open_workbook, sheet_rows, visible_sheet_names

TEXT_EXTENSIONS = {"csv", "tsv", "txt"}
# .xlsm and .xlsb are read like .xlsx (calamine reads cells and cached formula values;
# macros are never run).
WORKBOOK_EXTENSIONS = {"xlsx", "xlsm", "xlsb", "xls", "ods"}
SAMPLE_ROWS = 5_000  # rows read for the layout (header, totals, ragged rows)
PROFILE_ROWS = 2_000  # rows whose every value is typed in Python
SHOWN_ROWS = 100  # kept on FileInfo: shown to people and used to check a mapping
MAX_SHEETS = 20  # visible sheets looked at for the report
# The decimal mark where a currency is at home, for units no other column explains
# ("10.000" units in a yen report are 10). Only currencies of one writing convention.
CURRENCY_DECIMAL_MARKS = {
    "JPY": ".", "CNY": ".", "KRW": ".", "USD": ".", "GBP": ".", "INR": ".", "VND": ",",
}  # fmt: skip
_NUMERIC_DATE_PARTS = r"^\s*(\d{1,2})[./\-](\d{1,2})[./\-]\d{2,4}"


def extension_of(filename: str) -> str:
    return Path(filename).suffix.lower().lstrip(".")


def inspect(
    path: str | Path,
    filename: str,
    *,
    encoding_override: str | None = None,
    saved_date_order: str | None = None,
    default_currency: str | None = None,
) -> FileInfo:
    """Detect how the file is laid out. Raises `UploadRefused` when it holds no table.

    `default_currency` (the partner's) only breaks ties in reading numbers."""
    path = Path(path)
    extension = extension_of(filename)
    if extension in WORKBOOK_EXTENSIONS:
        info, rows, row_numbers = _inspect_workbook(path, filename, extension)
    else:
        info, rows, row_numbers = _inspect_text(path, filename, extension, encoding_override)
    _profile(info, rows, row_numbers, default_currency)
    _decide_date_order(info, path, saved_date_order)
    return info


def encoding_of(info: FileInfo) -> EncodingGuess:
    """The encoding decision stored in `info`, as the readers take it."""
    return EncodingGuess(
        info.encoding or "utf-8", info.bom_length, info.encoding_reason or "", True
    )


# --- reading samples -----------------------------------------------------------------


def _trimmed_width(rows: list[list[str]]) -> int:
    width = 0
    for row in rows:
        for index in range(len(row) - 1, width - 1, -1):
            if row[index]:
                width = index + 1
                break
    return width


def _check_width(rows: list[list[str]]) -> None:
    width = _trimmed_width(rows[:200])
    if width > MAX_COLUMNS:
        raise UploadRefused("too_many_columns", columns=width, limit=MAX_COLUMNS)


def _inspect_text(path: Path, filename: str, extension: str, encoding_override: str | None):
    size = path.stat().st_size
    guess = detect_encoding(path, encoding_override)
    text = decode_sample(path, guess)
    if not is_printable_text(text):
        raise UploadRefused("binary_as_text", extension=extension, detected="binary data")
    whole_file = size - guess.bom_length <= SAMPLE_BYTES
    delimiter = sniff_delimiter(text, extension)
    rows, capped = parse_sample(text, delimiter, SAMPLE_ROWS + 60)
    _check_width(rows)  # before the cut: a header of a million columns fills the sample
    if not whole_file or capped:
        rows = rows[:-1]  # the last record of a cut sample may be incomplete
    info = FileInfo(
        filename=filename,
        file_format="csv",
        size=size,
        headers=[],
        header_row=0,
        columns=[],
        encoding=guess.name,
        encoding_reason=guess.reason,
        encoding_certain=guess.certain,
        bom_length=guess.bom_length,
        delimiter=delimiter,
        sample_is_whole_file=whole_file and not capped,
    )
    if not guess.certain:
        info.warnings.append(
            f"The text encoding was guessed as {guess.name} ({guess.reason}); if accented "
            "letters look wrong in the sample, choose the right encoding."
        )
    _locate_table(info, rows)
    info.data_offset = data_offset(text, delimiter, info.header_row)
    if not info.sample_is_whole_file:
        sampled_bytes = data_offset(text, delimiter, len(rows))
        bytes_per_row = max(1, sampled_bytes) / max(1, len(rows))
        info.estimated_rows = int(size / bytes_per_row)
        info.footer_rows += _tail_footers(path, guess, delimiter, len(info.headers))
    else:
        info.estimated_rows = len(rows) - info.header_row
    return info, rows, list(range(1, len(rows) + 1))


def _inspect_workbook(path: Path, filename: str, extension: str):
    """The sheet that holds the report: the most header-like table among the visible
    sheets (a cover or notes sheet often comes first), the first one on a tie."""
    workbook = open_workbook(path)
    sheets = visible_sheet_names(workbook)
    if not sheets:
        raise UploadRefused("empty_sheet")
    best = None
    refusal = None
    for sheet in sheets[:MAX_SHEETS]:
        data = load_sheet(workbook, sheet)
        rows = []
        for row in sheet_rows(data):
            rows.append(row)
            if len(rows) >= SAMPLE_ROWS + 60:
                break
        if not any(not is_blank(row) for row in rows):
            continue
        _check_width(rows)
        layout = find_header(rows)
        if layout is None:
            continue
        info = FileInfo(
            filename=filename,
            file_format=extension,
            size=path.stat().st_size,
            headers=[],
            header_row=0,
            columns=[],
            sheet=sheet,
            sheets=sheets,
            sample_is_whole_file=data.height <= len(rows),
        )
        try:
            _locate_table(info, rows, _merged_ranges(data))
        except UploadRefused as error:  # a notes table without rows under it, say
            refusal = refusal or error
            continue
        score = layout.score + 0.5 * known_header_share(info.headers)
        if best is None or score > best[0] + 0.25:
            info.estimated_rows = max(0, data.height - info.header_row)
            best = (score, info, rows)
    if best is None:
        raise refusal or UploadRefused("no_table")
    _, info, rows = best
    others = [name for name in sheets if name != info.sheet]
    if others:
        info.warnings.append(
            f'Only the sheet "{info.sheet}" was read; the workbook also has: '
            + ", ".join(f'"{name}"' for name in others)
            + "."
        )
    return info, rows, list(range(1, len(rows) + 1))


def _merged_ranges(data) -> list | None:
    """Merged cells of a loaded sheet (calamine knows them for .xlsx and .xls)."""
    try:
        ranges = list(data.merged_cell_ranges or ())
        first_column = data.start[1] if data.start else 0
    except Exception:  # noqa: BLE001 - a reader without merge information
        return None
    # Rows come padded from row 1, but columns from the first used one (an empty margin
    # column A is left out): merges are given in absolute columns.
    return [
        ((top, left - first_column), (bottom, right - first_column))
        for (top, left), (bottom, right) in ranges
    ]


# --- layout --------------------------------------------------------------------------


def _locate_table(info: FileInfo, rows: list[list[str]], merged=None) -> None:
    """Find the header, classify the rows under it, refuse header-only or ragged files."""
    layout = find_header(rows)
    if layout is None:
        raise UploadRefused("no_table")
    header = rows[layout.header_index]
    grouped = grouped_header(rows, layout.header_index, merged)
    if grouped is not None:  # the label row above belongs to the header, not the title
        header = grouped
        layout.title_rows = layout.title_rows[:-1]
    elif (below := names_below(rows, layout.header_index, merged)) is not None:
        # The row found holds the group labels; the names under them are the header row.
        grouped = header = below
        layout.header_index += 1
        layout.width = max(layout.width, len(below))
    # Columns beyond the header count when most rows fill them (a column whose header
    # cell is empty); a few longer rows are ragged rows, reported as errors.
    widths = Counter(
        _trimmed_width([row]) for row in rows[layout.header_index + 1 :][:500] if not is_blank(row)
    )
    typical_width = widths.most_common(1)[0][0] if widths else 0
    width = min(max(layout.width, typical_width), MAX_COLUMNS)
    info.headers = [
        (display_text(header[index]) if index < len(header) else "") for index in range(width)
    ]
    info.header_row = layout.header_index + 1
    info.title_rows = layout.title_rows
    data_rows = rows[layout.header_index + 1 :]
    widths = Counter(filled_count(row) for row in data_rows if not is_blank(row))
    typical = widths.most_common(1)[0][0] if widths else len(info.headers)
    header_width = _trimmed_width([header])
    sale_rows = 0
    # Pages printed with the header again repeat its rows as they were written: the
    # lower row, and a grouped header's label row too.
    header_cells = {cell.casefold() for cell in rows[layout.header_index] if cell}
    label_cells = (
        [cell for cell in rows[layout.header_index - 1] if cell] if grouped is not None else None
    )
    info.group_labels = [display_text(cell) for cell in label_cells or ()]
    if grouped is not None:
        info.group_names = [display_text(cell) for cell in rows[layout.header_index]][
            : len(info.headers)
        ]
    for offset, row in enumerate(data_rows):
        row_number = info.header_row + 1 + offset
        if is_blank(row):
            info.blank_rows += 1
        elif _repeats_header(row, header_cells) or (
            label_cells and [cell for cell in row if cell] == label_cells
        ):
            info.repeated_headers.append(row_number)
        elif is_total_row(row, max(typical, 2)):
            info.footer_rows.append(
                {"row": row_number, "text": " ".join(display_text(c) for c in row if c)}
            )
        else:
            sale_rows += 1
            if _trimmed_width([row]) > header_width:
                info.ragged_rows += 1
    if sale_rows == 0:
        if info.sample_is_whole_file:
            shown = ", ".join(header for header in info.headers if header)[:200]
            raise UploadRefused("header_only", headers=shown)
    elif info.ragged_rows > 0.5 * sale_rows:
        raise UploadRefused("ragged", columns=header_width)
    if info.ragged_rows:
        info.warnings.append(
            f"{info.ragged_rows} rows in the sample have more values than the header; they "
            "will be reported as errors."
        )


def _repeats_header(row: list[str], header_cells: set[str]) -> bool:
    """The header printed again (exports paginated for printing repeat it)."""
    cells = [cell.casefold() for cell in row if cell]
    return len(cells) >= 2 and sum(cell in header_cells for cell in cells) >= len(cells) / 2


def _tail_footers(path: Path, guess: EncodingGuess, delimiter: str, width: int):
    """Total rows at the end of a text file too large to sample whole (row unknown)."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        start = max(guess.bom_length, size - 65_536)
        if guess.name.startswith("utf-16"):
            start -= (start - guess.bom_length) % 2
        handle.seek(start)
        tail = handle.read().decode(guess.name, errors="replace")
    lines = tail.splitlines()[1:]
    rows, _ = parse_sample("\n".join(lines[-50:]), delimiter, 60)
    typical = Counter(filled_count(row) for row in rows if not is_blank(row)).most_common(1)
    typical_width = typical[0][0] if typical else width
    return [
        {"row": None, "text": " ".join(cell for cell in row if cell)}
        for row in rows
        if not is_blank(row) and is_total_row(row, max(typical_width, 2))
    ]


# --- profiles ------------------------------------------------------------------------


def _file_currency(profiles: list[ColumnProfile], default_currency: str | None) -> str | None:
    """The one currency the file is in, as a person would take it: its currency column's
    codes when they are all one, else a currency in a header ("Amount (JPY)"), else the
    partner's currency."""
    for profile in profiles:
        if profile.kind == "currency":
            codes = {currency_from_token(example) for example in profile.examples}
            if len(codes) == 1 and None not in codes:
                return codes.pop()
    for profile in profiles:
        if currency := split_header_currency(profile.header)[1]:
            return currency
    return default_currency


def _profile(
    info: FileInfo,
    rows: list[list[str]],
    row_numbers: list[int],
    default_currency: str | None = None,
) -> None:
    """Profile every column from the sample's sale rows; keep a few rows to show."""
    footer_rows = {footer["row"] for footer in info.footer_rows} | set(info.repeated_headers)
    width = len(info.headers)
    sale_rows = []
    for row, number in zip(rows[info.header_row :], row_numbers[info.header_row :], strict=False):
        if is_blank(row) or number in footer_rows:
            continue
        sale_rows.append((number, (row + [""] * width)[:width]))
    info.sample_rows = [[display_text(cell) for cell in row] for _, row in sale_rows[:SHOWN_ROWS]]
    info.sample_row_numbers = [number for number, _ in sale_rows[:SHOWN_ROWS]]

    # Kinds and styles from the first PROFILE_ROWS rows (Python per value); the day/month
    # evidence from every distinct date of the sample, then from the file if still open.
    columns_values = [[row[index] for _, row in sale_rows[:PROFILE_ROWS]] for index in range(width)]
    profiles = [
        profile_column(index, header, values, None)
        for index, (header, values) in enumerate(zip(info.headers, columns_values, strict=True))
    ]
    decided = Counter(
        profile.number.decimal
        for profile in profiles
        if profile.number
        and not profile.number.ambiguous
        and (profile.number.max_decimals or profile.number.grouping_seen)
        and profile.number.decimal in ".,"
    )
    hint = decided.most_common(1)[0][0] if decided else ("," if info.delimiter == ";" else None)
    from .mapping import CERTAIN, header_scores

    currency = _file_currency(profiles, default_currency)
    counts = {
        index
        for index, profile in enumerate(profiles)
        if header_scores(profile.header).get("quantity", (0.0, ""))[0] >= CERTAIN
    }
    money: Counter = Counter()
    for index, profile in enumerate(profiles):
        if profile.number and profile.number.ambiguous and index not in counts:
            profiles[index] = profile_column(
                index, profile.header, columns_values[index], hint, currency
            )
            if currency in ZERO_DECIMAL_CURRENCIES and profiles[index].number:
                money[profiles[index].number.decimal] += 1
    # Units are read with the file's decimal mark as its money shows it; a currency
    # without minor units says how money is written, not units ("3.000" is 3 units in
    # a yen report whose amounts read "279,100").
    if not decided:
        # Nothing in the file shows the mark: the money's, else the currency's country.
        hint = money.most_common(1)[0][0] if money else CURRENCY_DECIMAL_MARKS.get(currency, hint)
    for index in counts:
        profile = profiles[index]
        if profile.number and profile.number.ambiguous:
            profiles[index] = profile_column(index, profile.header, columns_values[index], hint)
    for profile in profiles:
        profile.header_currency = split_header_currency(profile.header)[1]
        if profile.date and "numeric" in profile.date.shapes and len(sale_rows) > PROFILE_ROWS:
            _widen_date_evidence(profile, {row[profile.index] for _, row in sale_rows})
    info.columns = profiles


def _widen_date_evidence(profile: ColumnProfile, values: set[str]) -> None:
    for value in values:
        shape = read_date_shape(value) if value else None
        if shape and shape[0] == "numeric":
            profile.date.first_part_max = max(profile.date.first_part_max, shape[1])
            profile.date.second_part_max = max(profile.date.second_part_max, shape[2])
    profile.date.order = decide_date_order(
        profile.date.first_part_max, profile.date.second_part_max
    )


def _decide_date_order(info: FileInfo, path: Path, saved_date_order: str | None) -> None:
    """One day/month order per file: proven by any column, else by all rows, else saved."""
    numeric = [p for p in info.columns if p.date and "numeric" in p.date.shapes]
    if not numeric:
        info.date_order = None
        return
    proven = {p.date.order for p in numeric if p.date.order}
    if not proven and not info.sample_is_whole_file and info.file_format == "csv":
        _scan_date_parts(info, path, numeric)
        proven = {p.date.order for p in numeric if p.date.order}
    if len(proven) == 1:
        order = proven.pop()
        info.date_order, info.date_order_source = order, "values"
    elif saved_date_order in ("dmy", "mdy"):
        info.date_order, info.date_order_source = saved_date_order, "saved"
    else:
        info.date_order = "ambiguous"
        examples = ", ".join(p.date.example for p in numeric)
        info.warnings.append(
            f"Dates such as {examples} could be day/month or month/day; choose the order."
        )
        return
    for profile in numeric:
        if profile.date.order is None:
            profile.date.order = info.date_order


def _scan_date_parts(info: FileInfo, path: Path, numeric: list[ColumnProfile]) -> None:
    """Read only the date columns of the whole text file to find a proving value."""
    guess = encoding_of(info)
    for block, _ in iter_record_blocks(path, guess, info.data_offset):
        frame = parse_block(block, info.delimiter, len(info.headers))
        parts = frame.select(
            [
                pl.col(column_name(p.index))
                .str.extract(_NUMERIC_DATE_PARTS, group)
                .cast(pl.Int32, strict=False)
                .max()
                .alias(f"{p.index}_{group}")
                for p in numeric
                for group in (1, 2)
            ]
        ).row(0, named=True)
        for profile in numeric:
            first = parts[f"{profile.index}_1"] or 0
            second = parts[f"{profile.index}_2"] or 0
            profile.date.first_part_max = max(profile.date.first_part_max, first)
            profile.date.second_part_max = max(profile.date.second_part_max, second)
            profile.date.order = decide_date_order(
                profile.date.first_part_max, profile.date.second_part_max
            )
        if any(profile.date.order for profile in numeric):
            return
