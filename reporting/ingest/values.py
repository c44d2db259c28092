"""Detectors that read a column's sample values: number style, date format, value kind.

These run in Python over a sample (a few thousand rows) and decide how the whole column
is parsed; the parsing itself is vectorised (`expressions.py`). Each decision is kept in
plain dataclasses that serialise to JSON, so an upload row can store it and a person can
correct it.

Decisions are made from *all* sample values, never from the first one:
- number style: a value with both `.` and `,` shows which is the decimal mark; a single
  separator followed by other than three digits is a decimal mark; repeated separators
  or spaces/apostrophes are thousands separators. A column of only "1.234"-like values is
  ambiguous and takes the file's other columns (or its currency) as the tie-breaker.
- date order: a first part above 12 proves day-first, a second part above 12 proves
  month-first; a column where neither happens stays undecided (`order=None`).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from .text import currency_from_token, fold
from .vocabulary import COUNTRY_NAMES, ISO_COUNTRIES, MONTH_NAMES
from .workbook import NATIVE_DATE, NATIVE_NUMBER

ZERO_DECIMAL_CURRENCIES = {"VND", "JPY", "KRW", "CLP", "ISK", "PYG", "UGX", "IDR"}

_GROUPING_SPACES = "\u00a0\u202f \u2009"
_CURRENCY_TOKEN = (
    r"(?:[A-Za-z]{2,3}\$|[A-Za-z]{3}|[$€£¥₫₩₹₽₺₪฿₱円元￥]|đ|Đ|VNĐ|VNđ|Fr\.|zł|Kč|kr|RM|Rp)"
)
_NUMBER = re.compile(
    rf"""^(?P<sign>[-−–+])?\s*(?P<open>\()?\s*(?P<cur1>{_CURRENCY_TOKEN})?\s*
    (?P<sign2>[-−–])?\s*
    (?P<body>[\d.,'{_GROUPING_SPACES}]*\d[\d.,'{_GROUPING_SPACES}]*)
    \s*(?P<cur2>{_CURRENCY_TOKEN})?\s*(?P<close>\))?\s*(?P<trailing>-)?$""",
    re.VERBOSE,
)
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$")
_COMPACT_DATE = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})(?P<sep>[./\-])(\d{1,2})(?P=sep)(\d{4}|\d{2})(?:[T ]\d{1,2}:\d{2}.*)?$"
)
_NAMED_DAY_FIRST = re.compile(r"^(\d{1,2})\.?[\s\-/]*([^\W\d_]{3,})\.?[\s\-/,]*(\d{4}|\d{2})$")
_NAMED_MONTH_FIRST = re.compile(r"^([^\W\d_]{3,})\.?[\s\-/]*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})$")
_JAPANESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
SERIAL_MIN, SERIAL_MAX = 25_000, 75_000  # 1968..2105: what an invoice date can be
NATIVE = "native"  # the "decimal mark" of a real spreadsheet number cell


@dataclass
class NumberStyle:
    """How a column writes numbers: its decimal mark and the separators to remove."""

    decimal: str = "."
    thousands: str = ","
    ambiguous: bool = False
    currency: str | None = None
    max_decimals: int = 0
    example: str = ""
    grouping_seen: bool = False  # a thousands separator was proven ("1,768,000")

    def removable(self) -> str:
        """Characters stripped before reading the number (all grouping marks)."""
        other = "," if self.decimal == "." else "."
        return "".join(sorted(set(other + self.thousands + "'" + _GROUPING_SPACES)))


@dataclass
class DateStyle:
    """How a column writes dates. `order` is None while day/month is undecided."""

    order: str | None = None  # "dmy" or "mdy" for numeric dates like 03/04/2026
    named_order: str = "dmy"  # for "05-Sep-2026" (dmy) or "Sep 5, 2026" (mdy)
    shapes: list[str] = field(default_factory=list)
    two_digit_year: bool = False
    with_time: bool = False
    first_part_max: int = 0
    second_part_max: int = 0
    example: str = ""

    @property
    def ambiguous(self) -> bool:
        return "numeric" in self.shapes and self.order is None

    def pattern(self) -> str:
        """The format as a partner would recognise it, for messages."""
        year = "yy" if self.two_digit_year else "yyyy"
        separator = next((char for char in self.example if char in "./-"), "/")
        if "numeric" in self.shapes and self.order == "dmy":
            return f"dd{separator}mm{separator}{year}"
        if "numeric" in self.shapes and self.order == "mdy":
            return f"mm{separator}dd{separator}{year}"
        if "named" in self.shapes:
            return "dd-Mon-yyyy" if self.named_order == "dmy" else "Mon dd, yyyy"
        if "compact" in self.shapes:
            return "yyyymmdd"
        if "serial" in self.shapes or "native" in self.shapes:
            return "a date cell (e.g. 2026-09-30)"
        if "japanese" in self.shapes:
            return "yyyy年mm月dd日"
        return "yyyy-mm-dd"


@dataclass
class ColumnProfile:
    """What the sample shows about one column: its kind, styles and examples."""

    index: int
    header: str
    kind: str = "empty"  # empty, text, integer, number, date, currency, country
    filled: int = 0
    distinct: int = 0
    examples: list[str] = field(default_factory=list)
    header_currency: str | None = None
    number: NumberStyle | None = None
    date: DateStyle | None = None
    currency_share: float = 0.0
    country_share: float = 0.0
    whole: bool = False  # every number is a whole one (2.00, 2,000 in a decimal-comma file)


# --- numbers -------------------------------------------------------------------------


@dataclass
class _NumberReading:
    decimal_votes: Counter
    thousands_votes: Counter
    ambiguous: int
    decimals: int
    currency: str | None


def read_number_shape(value: str) -> tuple[str | None, str | None, bool, int, str | None] | None:
    """(decimal mark, thousands mark, ambiguous, decimals, currency) of one value, or None.

    None means the value is not a number at all. A native spreadsheet number reads as
    "." decimal without ambiguity.
    """
    if value.startswith(NATIVE_NUMBER):
        # A real number cell has no written style: it must not outvote the text cells.
        digits = value[2:]
        decimals = len(digits.partition(".")[2])
        return (NATIVE, None, False, decimals, None)
    match = _NUMBER.match(value.strip())
    if not match:
        return None
    currency = None
    for token in (match["cur1"], match["cur2"]):
        if token:
            currency = currency_from_token(token)
            if currency is None:
                return None
    if bool(match["open"]) != bool(match["close"]):
        return None
    body = match["body"].strip(_GROUPING_SPACES)
    separators = [char for char in body if not char.isdigit()]
    if not separators:
        return (None, None, False, 0, currency)
    kinds = list(dict.fromkeys(separators))
    last = kinds[-1]
    digits_after_last = len(body) - body.rfind(last) - 1
    if len(kinds) >= 2:
        if separators.count(last) > 1 or last in "'" + _GROUPING_SPACES:
            return None  # "1.234.567,89,1": no reading makes sense
        return (last, kinds[0], False, digits_after_last, currency)
    if last in "'" + _GROUPING_SPACES or separators.count(last) > 1:
        return (None, last, False, 0, currency)
    integer_part = body[: body.rfind(last)]
    if digits_after_last != 3 or integer_part in ("", "0") or len(integer_part) > 3:
        return (last, None, False, digits_after_last, currency)
    return (last, None, True, digits_after_last, currency)  # "1,234": mark or decimals?


def detect_number_style(
    values: list[str], decimal_hint: str | None = None, currency_hint: str | None = None
) -> NumberStyle | None:
    """The style of a numeric column, or None when most values are not numbers.

    `currency_hint` is the file's currency when the values name none (a currency column,
    the header, the partner's currency): "24,060" is 24060 in yen, as a person reads it.
    """
    readings = [(value, read_number_shape(value)) for value in values]
    numeric = [(value, shape) for value, shape in readings if shape is not None]
    if not values or len(numeric) < 0.9 * len(values):
        return None
    decimal_votes: Counter = Counter()
    thousands_votes: Counter = Counter()
    ambiguous_marks: Counter = Counter()
    currencies: Counter = Counter()
    max_decimals = 0
    for _value, (decimal, thousands, ambiguous, decimals, currency) in numeric:
        if decimal == NATIVE:
            max_decimals = max(max_decimals, decimals)
            continue
        if currency:
            currencies[currency] += 1
        if ambiguous:
            ambiguous_marks[decimal] += 1
            continue
        if decimal:
            decimal_votes[decimal] += 1
            max_decimals = max(max_decimals, decimals)
        if thousands:
            thousands_votes[thousands] += 1
    currency = currencies.most_common(1)[0][0] if currencies else None
    example = next((value for value, _ in numeric if not value.startswith(NATIVE_NUMBER)), "")
    if not example and numeric:
        example = numeric[0][0][2:]
    if decimal_votes:
        decimal = decimal_votes.most_common(1)[0][0]
        ambiguous = False
    elif ambiguous_marks or thousands_votes:
        # Only "1,234"-like values (or only grouping): the mark is a thousands separator
        # if another column or the currency says so, else follow the hint.
        mark = (ambiguous_marks or thousands_votes).most_common(1)[0][0]
        if thousands_votes and mark in ".,":
            decimal = "," if mark == "." else "."
        elif (currency or currency_hint) in ZERO_DECIMAL_CURRENCIES and mark in ".,":
            decimal = "," if mark == "." else "."
        elif decimal_hint:
            decimal = decimal_hint
        else:
            decimal = "," if mark == "." else "."
        ambiguous = bool(ambiguous_marks) and not thousands_votes
    else:
        decimal, ambiguous = (decimal_hint or "."), False
    if decimal == ",":
        grouping = thousands_votes.most_common(1)[0][0] if thousands_votes else "."
    else:
        grouping = thousands_votes.most_common(1)[0][0] if thousands_votes else ","
    if grouping == decimal:
        grouping = "," if decimal == "." else "."
    # Only a "." or "," proven as grouping tells the decimal mark (a space tells nothing).
    proven = any(mark in ".," for mark in thousands_votes)
    return NumberStyle(decimal, grouping, ambiguous, currency, max_decimals, example, proven)


# --- dates ---------------------------------------------------------------------------


def _year_ok(year: int) -> bool:
    return 1900 <= year <= 2100 or year < 100


def read_date_shape(value: str) -> tuple[str, int, int, bool] | None:
    """(shape, first part, second part, two-digit year) of one value, or None.

    Parts are only meaningful for the "numeric" shape, where they decide the order;
    named-month shapes report their order as the shape ("named_dmy"/"named_mdy").
    """
    value = value.strip()
    if value.startswith(NATIVE_DATE):
        return ("native", 0, 0, False)
    if value.startswith(NATIVE_NUMBER):
        number = value[2:]
        if _SERIAL.match(number) and SERIAL_MIN <= float(number) <= SERIAL_MAX:
            return ("serial", 0, 0, False)
        return None
    if match := _ISO_DATE.match(value):
        month, day = int(match[2]), int(match[3])
        return ("iso", 0, 0, False) if 1 <= month <= 12 and 1 <= day <= 31 else None
    if _COMPACT_DATE.match(value):
        return ("compact", 0, 0, False)
    if match := _NUMERIC_DATE.match(value):
        first, second, year = int(match[1]), int(match[3]), match[4]
        if not (1 <= first <= 31 and 1 <= second <= 31) or (first > 12 and second > 12):
            return None
        if not _year_ok(int(year)):
            return None
        return ("numeric", first, second, len(year) == 2)
    if match := _JAPANESE_DATE.match(value):
        return ("japanese", 0, 0, False)
    if match := _NAMED_DAY_FIRST.match(value):
        if fold(match[2]).rstrip(".") in MONTH_NAMES and 1 <= int(match[1]) <= 31:
            return ("named_dmy", 0, 0, len(match[3]) == 2)
    if match := _NAMED_MONTH_FIRST.match(value):
        if fold(match[1]).rstrip(".") in MONTH_NAMES and 1 <= int(match[2]) <= 31:
            return ("named_mdy", 0, 0, False)
    if _SERIAL.match(value) and SERIAL_MIN <= float(value) <= SERIAL_MAX:
        return ("serial", 0, 0, False)
    return None


def _shown(value: str) -> str:
    """A value as a person sees it: without the native-cell marker (never stored)."""
    return value[2:] if value.startswith((NATIVE_NUMBER, NATIVE_DATE)) else value


def detect_date_style(values: list[str], min_share: float = 0.8) -> DateStyle | None:
    """The date style of a column, or None when fewer than `min_share` values are dates."""
    shapes = [(value, read_date_shape(value)) for value in values]
    dated = [(value, shape) for value, shape in shapes if shape is not None]
    if not values or len(dated) < min_share * len(values):
        return None
    kinds = Counter(shape[0] for _, shape in dated)
    if set(kinds) == {"serial"} and len(dated) < len(values):
        return None
    # Without the internal marker of a real date cell: the style is stored as JSON, and
    # PostgreSQL refuses NUL in jsonb.
    style = DateStyle(example=_shown(dated[0][0]))
    style.with_time = any(
        re.search(r"\d{1,2}:\d{2}", value) for value, shape in dated if shape[0] != "native"
    )
    for kind in kinds:
        if kind.startswith("named_"):
            style.named_order = kind.removeprefix("named_")
            kind = "named"
        if kind not in style.shapes:
            style.shapes.append(kind)
    numeric = [shape for _, shape in dated if shape[0] == "numeric"]
    if numeric:
        style.first_part_max = max(first for _, first, _, _ in numeric)
        style.second_part_max = max(second for _, _, second, _ in numeric)
        style.two_digit_year = any(short for *_, short in numeric)
        style.order = decide_date_order(style.first_part_max, style.second_part_max)
        style.example = _shown(next(value for value, shape in dated if shape[0] == "numeric"))
    elif any(shape[3] for _, shape in dated):
        style.two_digit_year = True
    return style


def decide_date_order(first_part_max: int, second_part_max: int) -> str | None:
    """Day-first when a first part exceeds 12, month-first when a second part does."""
    if first_part_max > 12 and second_part_max <= 12:
        return "dmy"
    if second_part_max > 12 and first_part_max <= 12:
        return "mdy"
    return None


# --- kinds ---------------------------------------------------------------------------


def country_code(value: str) -> str | None:
    """ISO 3166 alpha-2 code for a country as partners write it, else None."""
    stripped = value.strip()
    if len(stripped) == 2 and stripped.upper() in ISO_COUNTRIES:
        return stripped.upper()
    if len(stripped) > 30 or any(char.isdigit() for char in stripped):
        return None
    return COUNTRY_NAMES.get(fold(stripped))


def _is_whole(value: str, decimal: str) -> bool:
    """True when a number cell has no fraction: "12", "12.00", "1.500,000" (decimal ",")."""
    if value.startswith(NATIVE_NUMBER):
        return "." not in value[2:]
    if decimal == NATIVE or decimal not in value:
        return True
    fraction = value.rsplit(decimal, 1)[1]
    digits = "".join(char for char in fraction if char.isdigit())
    return set(digits) <= {"0"}


def profile_column(
    index: int,
    header: str,
    values: list[str],
    decimal_hint: str | None,
    currency_hint: str | None = None,
):
    """Profile one column from its sample values (empty cells excluded by the caller)."""
    profile = ColumnProfile(index=index, header=header)
    filled = [value for value in values if value]
    profile.filled = len(filled)
    profile.distinct = len(set(filled))
    seen: list[str] = []
    for value in filled:
        shown = value[2:] if value.startswith(("\x00",)) else value
        if shown not in seen:
            seen.append(shown)
        if len(seen) == 5:
            break
    profile.examples = seen
    if not filled:
        return profile
    codes = sum(1 for value in filled if len(value) <= 4 and currency_from_token(value))
    profile.currency_share = codes / len(filled)
    countries = sum(1 for value in filled if country_code(value))
    profile.country_share = countries / len(filled)
    profile.date = detect_date_style(filled)
    profile.number = detect_number_style(filled, decimal_hint, currency_hint)
    if profile.number:
        profile.whole = all(_is_whole(value, profile.number.decimal) for value in filled)
    if profile.date and not set(profile.date.shapes) <= {"serial"}:
        profile.kind = "date"
        profile.number = None
    elif profile.number:
        has_decimals = profile.number.max_decimals > 0 and not profile.number.ambiguous
        profile.kind = "number" if has_decimals or profile.number.currency else "integer"
    elif profile.currency_share >= 0.8:
        profile.kind = "currency"
    elif profile.country_share >= 0.8:
        profile.kind = "country"
    else:
        profile.kind = "text"
        profile.date = None
    return profile
