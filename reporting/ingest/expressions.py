"""Vectorised polars expressions that parse and format values: the hot path.

Every function here returns polars expressions over string columns and runs in Rust over
a whole chunk at once; nothing loops in Python per value. The styles they take were
decided beforehand from a sample (`values.py`).

Money is parsed into `Decimal(38, 6)` (exact; no float rounding) and formatted back with
half-up rounding to the currency's minor units, as invoices round.
"""

import re
from decimal import Decimal

import polars as pl

from .values import SERIAL_MAX, SERIAL_MIN, DateStyle, NumberStyle
from .vocabulary import CURRENCY_MINOR_UNITS, CURRENCY_SYMBOLS, ISO_CURRENCIES, MONTH_NAMES
from .workbook import NATIVE_DATE, NATIVE_NUMBER

MONEY = pl.Decimal(38, 6)
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_MONEY = Decimal("1e15")  # beyond any sales line; guards arithmetic and storage
_HALF = Decimal("0.5")
_EXCEL_EPOCH = pl.date(1899, 12, 30)
CURRENCY_TOKEN = (
    r"(?:[A-Za-z]{2,3}\$|[A-Z]{3}|VNĐ|VNđ|[$€£¥₫₩₹₽₺₪฿₱円元￥]|đ|Đ|Fr\.|zł|Kč|kr|RM|Rp)"
)
# Spellings of month names beyond the folded forms in the vocabulary ("März", "févr").
_ACCENTED_MONTHS = {
    "märz": 3,
    "mär": 3,
    "févr": 2,
    "février": 2,
    "fév": 2,
    "août": 8,
    "décembre": 12,
    "déc": 12,
    "juil": 7,
    "sept": 9,
}


def _class(chars: str) -> str:
    return "".join(re.escape(char) for char in chars)


def number_pattern(style: NumberStyle) -> str:
    """Regex a well-formed value of this style matches (signs, brackets, symbol allowed).

    Grouping marks must group three digits (or the Indian 2-2-3 lakh form), so "12.5"
    in a decimal-comma column is an error rather than silently 125.
    """
    group = f"[{_class(style.removable().replace(style.decimal, ''))}]"
    decimal = re.escape(style.decimal)
    body = (
        rf"(?:\d{{1,3}}(?:{group}\d{{3}})+|\d{{1,2}}(?:{group}\d{{2}})+{group}\d{{3}}|\d+)"
        rf"(?:{decimal}\d*)?|{decimal}\d+"
    )
    token = rf"(?:{CURRENCY_TOKEN}\s*)?" if style.currency else ""
    trailing_token = rf"(?:\s*{CURRENCY_TOKEN})?" if style.currency else ""
    return rf"^[-−–+]?\(?\s*{token}[-−–]?\s*(?:{body}){trailing_token}\s*\)?\s*-?$"


def number_fast_stages(text: str, name: str, style: NumberStyle) -> list[list[pl.Expr]]:
    """Stages parsing string column `text` (stripped, "" when empty) into Decimal
    column `name`: null where the value is not well formed *or* has a shape the fast
    path does not read (brackets, trailing minus, currency symbols, another grouping
    mark). Callers re-parse those few rows with `number_full` (see `parse_numbers`).

    Only literal replacements and one regex run per value, and intermediates are
    materialised as columns between stages (eager polars does not share repeated
    sub-expressions).
    """
    source = pl.col(text)
    digits = source
    if style.thousands and style.thousands != style.decimal:
        digits = digits.str.replace_all(style.thousands, "", literal=True)
    if style.decimal != ".":
        digits = digits.str.replace(style.decimal, ".", literal=True)
    first = [
        source.str.contains(number_pattern(style)).alias(f"{name}_well_formed"),
        digits.cast(MONEY, strict=False).alias(f"{name}_magnitude"),
    ]
    second = [pl.when(pl.col(f"{name}_well_formed")).then(pl.col(f"{name}_magnitude")).alias(name)]
    return [first, second]


def number_full(text: pl.Expr, style: NumberStyle) -> pl.Expr:
    """The complete number rules as one expression: native spreadsheet numbers, signs
    before or after, brackets, currency symbols or codes, any grouping mark of the
    style. Slower than the fast stages; used for the rows they leave null."""
    native = text.str.starts_with(NATIVE_NUMBER)
    native_value = text.str.slice(2).cast(MONEY, strict=False)
    without_token = text.str.replace_all(CURRENCY_TOKEN, "")
    negative = without_token.str.contains(r"[-−–(]")
    digits = without_token.str.replace_all(rf"[^0-9{re.escape(style.decimal)}]", "")
    if style.decimal != ".":
        digits = digits.str.replace(style.decimal, ".", literal=True)
    magnitude = digits.cast(MONEY, strict=False)
    pattern = number_pattern(
        NumberStyle(style.decimal, style.thousands, currency=style.currency or "any")
    )
    well_formed = text.str.contains(pattern)
    signed = pl.when(negative).then(-magnitude).otherwise(magnitude)
    return pl.when(native).then(native_value).when(well_formed).then(signed)


def run_stages(frame: pl.DataFrame, stages: list[list[pl.Expr]]) -> pl.DataFrame:
    for stage in stages:
        if stage:
            frame = frame.with_columns(stage)
    return frame


def parse_numbers(values: pl.Series, style: NumberStyle) -> pl.Series:
    """Parse a series of number strings by the full rules (samples, tests)."""
    frame = pl.DataFrame({"text": values.cast(pl.String).str.strip_chars().fill_null("")})
    frame = run_stages(frame, number_fast_stages("text", "fast", style))
    full = number_full(pl.col("text"), style)
    return frame.select(pl.coalesce(pl.col("fast"), full).alias("value")).get_column("value")


def currency_code(token: pl.Expr) -> pl.Expr:
    """ISO 4217 code for an ISO code or a currency symbol (null when unknown)."""
    upper = token.str.strip_chars().str.strip_chars_end(".")
    symbols = {symbol: code for symbol, code in CURRENCY_SYMBOLS.items()}
    symbols.update({symbol.rstrip("."): code for symbol, code in CURRENCY_SYMBOLS.items()})
    from_symbol = upper.replace_strict(symbols, default=None, return_dtype=pl.String)
    upper_case = upper.str.to_uppercase()
    return (
        pl.when(upper_case.is_in(sorted(ISO_CURRENCIES)))
        .then(upper_case)
        .otherwise(pl.coalesce(from_symbol, upper_case.replace_strict(symbols, default=None)))
    )


def minor_units(currency: pl.Expr) -> pl.Expr:
    """Digits after the decimal mark for each row's currency (2 unless ISO says else)."""
    return currency.replace_strict(CURRENCY_MINOR_UNITS, default=2, return_dtype=pl.Int8)


def money_text_stages(
    value: str, minor: str, name: str, scales: set[int], *, keep_precision: bool = False
) -> list[list[pl.Expr]]:
    """Stages writing Decimal column `value` as plain text into `name`, rounded half-up
    to each row's minor units (column `minor`): "19200.00", "21158200", "-46.56".

    `scales` are the minor units present in the chunk. With `keep_precision` (unit
    prices, which are never negative here), a price with more decimals than its currency
    keeps up to four ("0.1234").

    Half-up rounding without floats: add half a unit of the last kept decimal to the
    absolute value, print it at the Decimal's fixed scale (6) and cut the extra digits.
    """
    source = pl.col(value)
    wanted = sorted(scales | ({4} if keep_precision else set()))

    def rounded(scale: int) -> pl.Expr:
        half = pl.lit(Decimal(5) / Decimal(10 ** (scale + 1))).cast(MONEY)
        text = (source.abs() + half).cast(pl.String)
        return text.str.head(-(6 - scale) if scale else -7)

    first = [rounded(scale).alias(f"{name}_r{scale}") for scale in wanted]

    def text(scale: int) -> pl.Expr:
        body = pl.col(f"{name}_r{scale}")
        if keep_precision:
            if scale >= 4:
                return body.str.replace(r"\.?0+$", "")
            precise = pl.col(f"{name}_r4").str.replace(r"0+$", "")
            exact = pl.col(f"{name}_r4").str.ends_with("0" * (4 - scale))
            return pl.when(exact).then(body).otherwise(precise)
        zero = "0" if scale == 0 else "0." + "0" * scale
        return pl.when((source < 0) & (body != zero)).then("-" + body).otherwise(body)

    ordered = sorted(scales)
    if len(ordered) == 1:
        result = text(ordered[0])
    else:
        result = pl.when(pl.col(minor) == ordered[0]).then(text(ordered[0]))
        for scale in ordered[1:]:
            result = result.when(pl.col(minor) == scale).then(text(scale))
    return [first, [result.alias(name)]]


# --- dates ---------------------------------------------------------------------------


def _month_map() -> dict[str, str]:
    names = {name: f"{number:02d}" for name, number in MONTH_NAMES.items()}
    names.update({name: f"{number:02d}" for name, number in _ACCENTED_MONTHS.items()})
    return dict(sorted(names.items(), key=lambda item: -len(item[0])))


def parse_date(
    column: pl.Expr, style: DateStyle, order: str | None, *, from_workbook: bool = False
) -> pl.Expr:
    """Parse a string column into dates; null where a value is not a date of this style.

    `order` ("dmy"/"mdy") applies to numeric dates like 03/04/2026; values with a
    four-digit first part are read as year-month-day whatever the order. Only the
    shapes the sample showed are tried, so a plain dd.mm.yyyy column costs one regex
    replace and one parse per value.
    """
    text = column.str.strip_chars()
    shapes = set(style.shapes)
    candidates: list[pl.Expr] = []
    if from_workbook:
        candidates.append(
            pl.when(text.str.starts_with(NATIVE_DATE)).then(
                text.str.slice(2).str.to_date("%Y-%m-%d", strict=False)
            )
        )
    if from_workbook or "serial" in shapes:
        serial_text = text.str.replace(NATIVE_NUMBER, "", literal=True)
        serial = (
            pl.when(serial_text.str.contains(r"^\d{5}(?:\.\d+)?$"))
            .then(serial_text)
            .cast(pl.Float64, strict=False)
            .floor()
            .cast(pl.Int32, strict=False)
        )
        candidates.append(
            pl.when(serial.is_between(SERIAL_MIN, SERIAL_MAX)).then(
                _EXCEL_EPOCH + pl.duration(days=serial)
            )
        )
    plain = text
    if style.with_time:
        plain = plain.str.replace(
            r"[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?$", ""
        )
    if "japanese" in shapes:
        plain = plain.str.replace_all("[年月]", "-").str.replace("日", "", literal=True)
    unified = plain.str.replace_all(r"[./\s]+", "-")
    if shapes & {"iso", "japanese", "native"} or order not in ("dmy", "mdy"):
        candidates.append(
            pl.when(unified.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")).then(
                unified.str.to_date("%Y-%m-%d", strict=False)
            )
        )
    year = "%y" if style.two_digit_year else "%Y"
    if order in ("dmy", "mdy"):
        numeric_format = f"%d-%m-{year}" if order == "dmy" else f"%m-%d-{year}"
        candidates.append(unified.str.to_date(numeric_format, strict=False))
    if "compact" in shapes:
        candidates.append(
            pl.when(plain.str.contains(r"^\d{8}$")).then(plain.str.to_date("%Y%m%d", strict=False))
        )
    if "named" in shapes:
        named = (
            plain.str.to_lowercase()
            .str.replace_all(r"(\d)(?:st|nd|rd|th)\b", "$1")
            .str.replace_many(_month_map(), leftmost=True)
            .str.replace_all(r"[-.,/\s]+", "-")
        )
        named_format = f"%d-%m-{year}" if style.named_order == "dmy" else "%m-%d-%Y"
        candidates.append(
            pl.when(plain.str.contains(r"[^\W\d_]")).then(
                named.str.to_date(named_format, strict=False)
            )
        )
    if not candidates:
        return pl.lit(None, dtype=pl.Date)
    parsed = pl.coalesce(candidates) if len(candidates) > 1 else candidates[0]
    return pl.when(parsed.dt.year().is_between(1900, 2200)).then(parsed)


def fast_date_format(style: DateStyle, order: str | None) -> str | None:
    """The one strptime format most values of the column have, or None.

    Parsing with it costs one pass; values it misses get the full `parse_date`.
    """
    shapes = set(style.shapes)
    if shapes == {"iso"} and re.fullmatch(r"\d{4}-\d{2}-\d{2}", style.example):
        return "%Y-%m-%d"
    if shapes == {"compact"}:
        return "%Y%m%d"
    if shapes == {"numeric"} and order in ("dmy", "mdy") and not style.with_time:
        separator = next((char for char in style.example if char in "./-"), None)
        if separator is None:
            return None
        year = "%y" if style.two_digit_year else "%Y"
        first, second = ("%d", "%m") if order == "dmy" else ("%m", "%d")
        return f"{first}{separator}{second}{separator}{year}"
    return None


def date_in_range(value: pl.Expr) -> pl.Expr:
    return value.dt.year().is_between(MIN_YEAR, MAX_YEAR)


def clean_text(column: pl.Expr, *, from_workbook: bool = True) -> pl.Expr:
    """Trimmed text, "" for empty cells, spreadsheet markers removed (workbooks only)."""
    text = column.str.strip_chars()
    if from_workbook:
        text = pl.when(text.str.starts_with("\x00")).then(text.str.slice(2)).otherwise(text)
    return text.fill_null("")
