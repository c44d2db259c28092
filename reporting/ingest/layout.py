"""Where the table is: header row, title rows above it, blank and total rows in it.

Works on rows as lists of strings (from a text sample or a sheet), so CSV and XLSX share
one definition of "header". A header row is the row that best combines: cells that are
known column names in any language, text rather than numbers or dates, about as many
filled cells as the rows under it, and rows under it that hold numbers or dates where
it holds words. Merged title cells ("BÁO CÁO DOANH SỐ THÁNG 09/2026") fill one cell and
never win.
"""

import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from .text import fold, fold_compact, split_header_currency
from .values import read_date_shape, read_number_shape
from .vocabulary import FIELD_SYNONYMS, ISO_CURRENCIES, MONTH_NAMES, TOTAL_LABELS

HEADER_SEARCH_ROWS = 60
# fmt: off
_TOTAL_QUALIFIERS = {
    "sales", "amount", "report", "general", "generale", "for", "of", "the", "month",
    "period", "year", "ytd", "mtd", "qtd", "net", "gross", "incl", "excl", "vat", "tax",
    "mwst", "ust", "ht", "ttc", "ventas", "ventes", "umsatz", "netto", "brutto",
    "doanh", "so", "thang", "tien", "all", "rows", "lines", "invoice", "invoices",
}
# fmt: on
_FOLDED_SYNONYMS = sorted({fold(word) for words in FIELD_SYNONYMS.values() for word in words})
_FOLDED_TOTALS = {fold(label) for label in TOTAL_LABELS} | {
    fold_compact(label) for label in TOTAL_LABELS
}
_TOTAL_PREFIX = re.compile(
    r"^(?:grand total|sub ?total|total|totals|summe|gesamtsumme|gesamt|zwischensumme|"
    r"total general|sous total|suma total|suma|totale|totaal|tong cong|tong so|"
    r"合計|総計|小計)\b"
)


@dataclass
class TableLayout:
    """Row indexes (0-based in the rows given) of the header and what lies around it."""

    header_index: int
    width: int
    title_rows: list[str]
    score: float


def _shown(cell: str) -> str:
    """A cell as a person sees it (no native-cell marker)."""
    return cell[2:] if cell.startswith("\x00") else cell


def is_blank(row: list[str]) -> bool:
    return not any(cell for cell in row)


def filled_count(row: list[str]) -> int:
    return sum(1 for cell in row if cell)


def _is_value(cell: str) -> bool:
    """Numbers and dates are values; header cells are words."""
    return read_number_shape(cell) is not None or read_date_shape(cell) is not None


def known_header_share(row: list[str]) -> float:
    """Share of the row's filled cells that read as a known column name."""
    cells = [cell for cell in row if cell and not cell.startswith("\x00")]
    if not cells:
        return 0.0
    hits = 0
    for cell in cells:
        folded = fold(split_header_currency(cell)[0])
        if not folded or len(folded) > 60:
            continue
        if folded in _FOLDED_SYNONYMS:
            hits += 1
            continue
        best = process.extractOne(folded, _FOLDED_SYNONYMS, scorer=fuzz.ratio, score_cutoff=85)
        if best:
            hits += 1
    return hits / len(cells)


def find_header(rows: list[list[str]]) -> TableLayout | None:
    """The most header-like row among the first rows, or None if nothing looks like one."""
    best: TableLayout | None = None
    seen: set[tuple[str, ...]] = set()
    candidates = rows[:HEADER_SEARCH_ROWS]
    for index, row in enumerate(candidates):
        filled = filled_count(row)
        if filled < 2:
            continue
        # The same row again is the header printed on the next page, not a better one.
        cells = tuple(cell.casefold() for cell in row if cell)
        if cells in seen:
            continue
        seen.add(cells)
        # Sale rows tell the table's width; totals and subtotals (often one row in
        # three of a report grouped by invoice) do not.
        below = [
            other
            for other in rows[index + 1 : index + 26]
            if not is_blank(other) and not any(is_total_label(cell) for cell in other)
        ]
        widths = [filled_count(other) for other in below]
        typical = Counter(widths).most_common(1)[0][0] if widths else filled
        words = sum(1 for cell in row if cell and not _is_value(cell)) / filled
        if words < 0.6:
            continue
        fill_fit = min(filled, typical) / max(filled, typical)
        known = known_header_share(row)
        contrast = 0.0
        if below:
            columns_with_values = 0
            for column, cell in enumerate(row):
                if not cell or _is_value(cell):
                    continue
                values = [other[column] for other in below[:10] if column < len(other)]
                if (
                    values
                    and sum(_is_value(value) for value in values if value)
                    >= 0.5 * len([value for value in values if value])
                    and any(values)
                ):
                    columns_with_values += 1
            contrast = min(1.0, columns_with_values / 2)
        distinct = len({cell for cell in row if cell}) / filled
        score = 3 * known + words + fill_fit + contrast + distinct + min(filled, 8) / 8
        if best is None or score > best.score + 0.25:
            width = max(
                (len(row) - next((i for i, c in enumerate(reversed(row)) if c), len(row))),
                0,
            )
            title_rows = [
                " ".join(_shown(cell) for cell in earlier if cell)
                for earlier in rows[:index]
                if not is_blank(earlier)
            ]
            best = TableLayout(index, width, title_rows, score)
    if best is None or best.score < 3.0:
        return None
    return best


def is_total_label(cell: str) -> bool:
    """True for cells like "Total", "Grand Total:", "Summe EUR", "Tổng cộng", "合計".

    A label may be followed by a colon or by words that qualify a total (a currency,
    a month, "sales", "net"...), never by a name: "Total Networks GmbH" is a customer.
    """
    if not cell or cell.startswith("\x00") or len(cell) > 40 or cell[0].isdigit():
        return False
    folded = fold(cell)
    if folded in _FOLDED_TOTALS or fold_compact(cell) in _FOLDED_TOTALS:
        return True
    match = _TOTAL_PREFIX.match(folded)
    if not match:
        return False
    rest = folded[match.end() :].split()
    if ":" in cell and fold(cell.split(":", 1)[0]) in _FOLDED_TOTALS:
        return True
    return all(_qualifies_total(word) for word in rest)


def _qualifies_total(word: str) -> bool:
    return (
        word.isdigit()
        or word.upper() in ISO_CURRENCIES
        or word in MONTH_NAMES
        or word in _TOTAL_QUALIFIERS
    )


def is_total_row(row: list[str], typical_filled: int) -> bool:
    """A totals/subtotals row: a total label and fewer filled cells than a sale row."""
    return any(is_total_label(cell) for cell in row) and filled_count(row) < typical_filled


def names_below(
    rows: list[list[str]],
    header_index: int,
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None,
) -> list[str] | None:
    """The header when the row found holds group labels and the row under it the names
    of the grouped columns only (the other columns' names merged down over both rows,
    as Excel users build a grouped header): the combined header, or None."""
    if header_index + 1 >= len(rows):
        return None
    upper, lower = rows[header_index], rows[header_index + 1]
    names = [(index, cell) for index, cell in enumerate(lower) if cell]
    if not names or len(names) >= filled_count(upper):
        return None
    if any(cell.startswith("\x00") or _is_value(cell) for _, cell in names):
        return None
    spans = {
        column
        for (top, left), (bottom, right) in merged or ()
        if top == bottom == header_index and right > left
        for column in range(left, right + 1)
    }
    under_a_group = all(
        index in spans or (index < len(upper) and not upper[index]) for index, _ in names
    )
    if not under_a_group:
        return None
    return grouped_header(rows, header_index + 1, merged, names_below=True)


def grouped_header(
    rows: list[list[str]],
    header_index: int,
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None,
    *,
    names_below: bool = False,
) -> list[str] | None:
    """The header of a two-row grouped header ("Invoice" over "No" and "Date"), or None.

    Office exports group columns under a label merged across them. The label row is
    the row right above the header, with at least two labels and fewer cells than the
    header. A label spans its merged range (0-based `((row, col), (row, col))`), or,
    without merges, the empty cells to its right. Each column then reads as a person
    reads it: the label and the name, or the name and the label ("Price" over "Unit"
    is the unit price), whichever reads as a known column name (exactly or nearly, as
    "請求 番号"); else the name if it is one
    ("SKU" under "Product"); else the label and the name.
    Used only when that makes more of the header known than the lower row alone.
    """
    if header_index == 0:
        return None
    labels_row, header = rows[header_index - 1], rows[header_index]
    labels = [(index, cell) for index, cell in enumerate(labels_row) if cell]
    merged_here = [
        (start[1], end[1])
        for start, end in merged or ()
        if start[0] == end[0] == header_index - 1 and end[1] > start[1]
    ]
    # Two labels at least, or one merged across columns: a lone unmerged cell right above
    # the header is a title.
    if not labels or (len(labels) < 2 and not merged_here):
        return None
    if len(labels) >= filled_count(header) and not names_below:
        return None
    if any(cell.startswith("\x00") or _is_value(cell) for _, cell in labels):
        return None
    width = max(len(header), len(labels_row))
    header = header + [""] * (width - len(header))
    spans: dict[int, str] = {}
    for position, (index, label) in enumerate(labels):
        merge = next(((a, b) for a, b in merged_here if a == index), None)
        if merge:
            last = merge[1]
        elif merged_here:
            last = index
        else:
            following = labels[position + 1][0] if position + 1 < len(labels) else width
            last = following - 1
        for column in range(index, min(last, width - 1) + 1):
            spans[column] = label
    combined = []
    for column, name in enumerate(header):
        label = spans.get(column)
        if not name or not label:
            # A column whose name was merged down over both rows has it in the upper one.
            combined.append(name or (labels_row[column] if names_below else ""))
            continue
        options = [f"{label} {name}", f"{name} {label}", f"{label}{name}", f"{name}{label}"]
        exact = [option for option in options if fold(option) in _FOLDED_SYNONYMS]
        near = [option for option in options if known_header_share([option]) == 1.0]
        if exact or near:
            combined.append((exact or near)[0])
        elif known_header_share([name]) == 1.0:
            combined.append(name)  # "SKU" under "Product" says it all
        else:
            combined.append(f"{label} {name}")
    plain = labels_row if names_below else header

    def known(cells: list[str]) -> float:
        return known_header_share(cells) * filled_count(cells)

    # More cells read as known names (a count: "Invoice" alone is a known name too).
    if known(combined) <= known(plain):
        return None
    return combined
