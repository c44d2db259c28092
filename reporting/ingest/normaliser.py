"""`normalise()`: turn a detected, mapped file into canonical sales lines and row errors.

The file is read in chunks (`chunk_rows`), each parsed into all-string columns and run
through stages of vectorised polars expressions built once per file. Intermediate
results are materialised as columns between stages (eager polars does not share
repeated sub-expressions). Python runs per *chunk*, and per row only for rows that
already failed (to tell a totals row or a repeated header from a real error).

Rules applied to every row:
- dates, numbers and currencies are parsed in the styles `inspect()` detected;
- a line is a return when its quantity, unit price or amount is negative; quantity
  and amount then carry the minus sign and the unit price stays positive;
- the missing one of unit price and amount is derived; when both are given they must
  agree within one minor unit, plus half a minor unit per unit sold (a unit price
  rounded to cents can be off by half a cent on every unit);
- the SKU resolves through the catalogue, then through the partner's aliases (also
  when a partner writes its own part number in the SKU column);
- the currency comes from a currency column, else a symbol or code in the amounts,
  else the header ("Amount (VND)"), else the partner's default.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .detect import encoding_of
from .errors import ROW_ERRORS
from .expressions import (
    CURRENCY_TOKEN,
    MAX_MONEY,
    MAX_YEAR,
    MIN_YEAR,
    MONEY,
    clean_text,
    date_in_range,
    fast_date_format,
    money_text_stages,
    number_fast_stages,
    number_full,
    parse_date,
    run_stages,
)
from .layout import is_total_row
from .model import ERROR_COLUMNS, Chunk, FileInfo, MappingProposal
from .text import currency_from_token, fold
from .textfile import column_name, iter_record_blocks, parse_block
from .values import DateStyle, NumberStyle, country_code
from .vocabulary import (
    CANONICAL_FIELDS,
    CURRENCY_MINOR_UNITS,
    DOLLAR_CURRENCIES,
    IGNORE,
    YEN_YUAN_CURRENCIES,
)
from .workbook import iter_sheet_frames

MAX_FOOTER_CANDIDATES = 20_000
REQUIRED_FIELDS = ("invoice_number", "invoice_date", "quantity")
MONEY_FIELDS = ("unit_price", "amount")
_LINE_INPUTS = (
    "_invoice_date",
    "_vendor_sku",
    "_partner_sku",
    "_units",
    "_unit_abs",
    "_amount_abs",
    "_negative",
    "_minor",
    "_currency",
    "source_row",
    "_has_error",
)
_ERROR_SCHEMA = {name: pl.String for name in ERROR_COLUMNS} | {"source_row": pl.Int64}


class MappingError(ValueError):
    """The mapping or options given to `normalise()` cannot be used (a caller's mistake)."""


@dataclass
class _Check:
    """One validation: rows where `condition` holds get an error with this code."""

    code: str
    column: str
    condition: pl.Expr
    value: pl.Expr
    message: pl.Expr


@dataclass
class _Plan:
    """Everything decided once per file before the first chunk is read."""

    info: FileInfo
    fields: dict[str, int]  # canonical field -> column index
    partner_slug: str
    default_currency: str | None
    vendor_skus: dict[str, str] | None  # upper-cased SKU -> catalogue spelling
    aliases: dict[str, str]  # upper-cased partner SKU -> vendor SKU
    date_style: DateStyle
    date_order: str | None
    from_workbook: bool
    messages: Mapping[str, str] = field(default_factory=dict)
    stages: list[list[pl.Expr]] = field(default_factory=list)
    checks: list[_Check] = field(default_factory=list)

    def message(self, code: str) -> str:
        """The row error template for `code`, translated when the caller gave one."""
        return self.messages.get(code) or ROW_ERRORS[code]

    def header(self, field_name: str) -> str:
        index = self.fields.get(field_name)
        if index is None:
            return ""
        return self.info.headers[index] or f"column {index + 1}"

    def raw(self, field_name: str) -> pl.Expr:
        return pl.col(column_name(self.fields[field_name]))

    def style(self, field_name: str) -> NumberStyle:
        profile = self.info.columns[self.fields[field_name]]
        if profile.number:
            return profile.number
        decimals = [
            c.number.decimal for c in self.info.columns if c.number and c.number.max_decimals
        ]
        return NumberStyle(decimal=decimals[0] if decimals else ".")


def validate_mapping(mapping, info: FileInfo) -> dict[str, int]:
    """{field: column index} of a mapping, or `MappingError` saying what is wrong with it.

    `mapping` is a `MappingProposal`, a list of fields per column or {index: field}.
    """
    if isinstance(mapping, MappingProposal):
        per_column = mapping.fields
    elif isinstance(mapping, Mapping):
        per_column = [IGNORE] * len(info.headers)
        for key, field_name in mapping.items():
            per_column[int(key)] = field_name
    else:
        per_column = list(mapping)
    if len(per_column) != len(info.headers):
        raise MappingError(
            f"The mapping has {len(per_column)} columns but the file has {len(info.headers)}."
        )
    fields: dict[str, int] = {}
    for index, field_name in enumerate(per_column):
        if field_name in (None, "", IGNORE):
            continue
        if field_name not in CANONICAL_FIELDS:
            raise MappingError(f"Unknown field {field_name!r} for column {index + 1}.")
        if field_name in fields:
            raise MappingError(f"Two columns are mapped to {field_name}.")
        fields[field_name] = index
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        raise MappingError("The mapping has no column for: " + ", ".join(missing) + ".")
    if "vendor_sku" not in fields and "partner_sku" not in fields:
        raise MappingError("The mapping has no column for the product code (SKU).")
    if not any(name in fields for name in MONEY_FIELDS):
        raise MappingError("The mapping has no column for the unit price or the amount.")
    return fields


def normalise(
    path: str | Path,
    info: FileInfo,
    mapping: MappingProposal | list[str | None] | Mapping[int | str, str],
    *,
    partner_slug: str,
    default_currency: str | None = None,
    vendor_skus: Iterable[str] | None = None,
    sku_aliases: Mapping[str, str] | None = None,
    date_order: str | None = None,
    chunk_rows: int = 100_000,
    messages: Mapping[str, str] | None = None,
) -> Iterator[Chunk]:
    """Yield normalised chunks of the file (see the module docstring and `Chunk`).

    `vendor_skus` is the catalogue (None skips the check), `sku_aliases` the partner's
    part number -> vendor SKU map, `date_order` "dmy"/"mdy" for files whose dates are
    ambiguous (`info.date_order == "ambiguous"`); an order the values proved wins.
    `messages` replaces row error templates (`ROW_ERRORS`, same placeholders) with
    translations, so the error report is in the uploader's language.
    """
    path = Path(path)
    fields = validate_mapping(mapping, info)
    style = info.columns[fields["invoice_date"]].date or DateStyle(shapes=["iso"])
    order = style.order or (info.date_order if info.date_order in ("dmy", "mdy") else date_order)
    if "numeric" in style.shapes and order not in ("dmy", "mdy"):
        raise MappingError("The dates are ambiguous: pass date_order='dmy' or 'mdy'.")
    plan = _Plan(
        info=info,
        fields=fields,
        partner_slug=partner_slug,
        default_currency=(default_currency or "").strip().upper() or None,
        vendor_skus=(
            None
            if vendor_skus is None
            else {sku.strip().upper(): sku.strip() for sku in vendor_skus if sku.strip()}
        ),
        aliases={
            alias.strip().upper(): vendor.strip()
            for alias, vendor in (sku_aliases or {}).items()
            if alias.strip()
        },
        date_style=style,
        date_order=order,
        from_workbook=info.file_format != "csv",
        messages=messages or {},
    )
    _build(plan)
    for index, (frame, progress) in enumerate(_iter_frames(path, info, chunk_rows)):
        yield _normalise_frame(frame, plan, index, progress)


# --- reading -------------------------------------------------------------------------


def _iter_frames(path: Path, info: FileInfo, chunk_rows: int):
    """(raw all-string frame with `source_row`, progress 0..1) per chunk of data rows."""
    width = len(info.headers)
    if info.file_format != "csv":
        yield from iter_sheet_frames(path, info.sheet, info.header_row + 1, width, chunk_rows)
        return
    rows_estimate = max(1, (info.estimated_rows or 1) + info.header_row)
    bytes_per_row = max(16, info.size // rows_estimate)
    chunk_bytes = min(64 << 20, max(64 << 10, chunk_rows * bytes_per_row))
    next_row = info.header_row + 1
    size = max(1, info.size)
    # The first chunks are smaller (an eighth, then doubling): the import COPYs a chunk
    # while the next one is normalised, and COPY cannot start before the first is ready.
    blocks = iter_record_blocks(
        path, encoding_of(info), info.data_offset, chunk_bytes, first_bytes=chunk_bytes // 8
    )
    for block, consumed in blocks:
        frame = parse_block(block, info.delimiter, width, next_row)
        frame = frame.with_columns(
            (pl.int_range(pl.len(), dtype=pl.Int64) + next_row).alias("source_row")
        )
        next_row += frame.height
        yield frame, min(1.0, consumed / size)


def _raw_row(info: FileInfo) -> pl.Expr:
    """The row as the partner wrote it: its cells joined by the file's delimiter (a tab
    for workbooks), without the markers of native workbook cells."""
    cells = [pl.col(column_name(i)) for i in range(len(info.headers))]
    if info.file_format != "csv":
        cells = [cell.str.replace(r"^\x00[#@]", "") for cell in cells]
    return pl.concat_str([cell.fill_null("") for cell in cells], separator=info.delimiter or "\t")


def source_rows(
    path: str | Path, info: FileInfo, rows: Iterable[int], chunk_rows: int = 100_000
) -> dict[int, str]:
    """{source row: the row as the partner wrote it} for the wanted rows of the file.

    Lines keep their source row number, not a copy of the row (it was as large as the
    rest of the line together, and nothing but a person tracing a line reads it): the
    row is read back from the file when asked, the way `normalise()` read it. Reads the
    file up to the last wanted row.
    """
    wanted = sorted({int(row) for row in rows})
    found: dict[int, str] = {}
    if not wanted:
        return found
    for frame, _progress in _iter_frames(Path(path), info, chunk_rows):
        if not frame.height:
            continue
        if frame["source_row"][0] > wanted[-1]:
            break
        hits = frame.filter(pl.col("source_row").is_in(wanted))
        if hits.height:
            picked = hits.select("source_row", _raw_row(info).alias("raw"))
            found.update(zip(picked["source_row"].to_list(), picked["raw"].to_list(), strict=True))
    return found


# --- the per-file program ------------------------------------------------------------


def _message(plan: "_Plan", code: str, **params) -> pl.Expr:
    return pl.lit(plan.message(code).format(**params))


def _text(plan: _Plan, field_name: str) -> pl.Expr:
    """The cleaned text of a mapped field ("" when empty or not mapped)."""
    return pl.col(f"_s_{field_name}") if field_name in plan.fields else pl.lit("")


def _build(plan: _Plan) -> None:
    """Compose the static stages and the checks for this file (used for every chunk).

    Lookups (SKUs, currency and country names) are not static: they are computed per
    chunk from the chunk's distinct values, which are few (see `_lookups`).
    """
    # Number and date cells of a workbook keep their native markers until parsed.
    typed = {"invoice_date", "quantity", *MONEY_FIELDS}
    texts = [
        clean_text(plan.raw(name), from_workbook=plan.from_workbook and name not in typed).alias(
            f"_s_{name}"
        )
        for name in plan.fields
    ]
    parse: list[pl.Expr] = []
    combine: list[pl.Expr] = []
    for name in ("quantity", *MONEY_FIELDS):
        if name in plan.fields:
            first, second = number_fast_stages(f"_s_{name}", f"_{name}", plan.style(name))
            parse += first
            combine += second
            if plan.style(name).currency:
                token = pl.col(f"_s_{name}").str.extract(f"({CURRENCY_TOKEN})", 1)
                parse.append(token.fill_null("").alias(f"_{name}_token"))
        else:
            combine.append(pl.lit(None, MONEY).alias(f"_{name}"))
    parse.append(_date_expression(plan, fast=True).alias("_invoice_date"))
    plan.stages = [texts, parse, combine]
    plan.checks = _checks(plan)


def _date_expression(plan: _Plan, *, fast: bool) -> pl.Expr:
    source = pl.col("_s_invoice_date")
    if fast and not plan.from_workbook:
        date_format = fast_date_format(plan.date_style, plan.date_order)
        if date_format:
            return source.str.to_date(date_format, strict=False)
    return parse_date(source, plan.date_style, plan.date_order, from_workbook=plan.from_workbook)


def _repair(frame: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    """Re-parse, by the full rules, the values the fast paths left null (rare)."""
    repairs = []
    missed_date = (pl.col("_s_invoice_date") != "") & pl.col("_invoice_date").is_null()
    if frame.select(missed_date.any()).item():
        full = _date_expression(plan, fast=False)
        repairs.append(pl.coalesce(pl.col("_invoice_date"), full).alias("_invoice_date"))
    for name in ("quantity", *MONEY_FIELDS):
        if name not in plan.fields:
            continue
        missed = (pl.col(f"_s_{name}") != "") & pl.col(f"_{name}").is_null()
        if frame.select(missed.any()).item():
            full = number_full(pl.col(f"_s_{name}"), plan.style(name))
            repairs.append(pl.coalesce(pl.col(f"_{name}"), full).alias(f"_{name}"))
    return frame.with_columns(repairs) if repairs else frame


def _by_distinct(frame: pl.DataFrame, column: str, function, dtype) -> pl.Expr:
    """`function` applied to each distinct value of `column`, spread back to every row.

    Report columns such as SKU, currency or country hold few distinct values even in
    a million rows, so Python logic per distinct value costs almost nothing.
    """
    distinct = frame.get_column(column).unique().to_list()
    mapping = {value: function(value) for value in distinct if value is not None}
    if len(mapping) == 1:
        return pl.lit(next(iter(mapping.values())), dtype)
    return pl.col(column).replace_strict(mapping, default=None, return_dtype=dtype)


def _lookups(frame: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    """SKU resolution, currency codes and minor units, from each chunk's distinct values."""
    catalogue, aliases = plan.vendor_skus, plan.aliases

    def in_catalogue(value: str) -> str | None:
        if not value:
            return None
        if catalogue is None:
            return value  # no catalogue given: trust the value
        return catalogue.get(value.upper())

    def via_alias(value: str) -> str | None:
        return aliases.get(value.upper()) if value else None

    columns = []
    vendor = "vendor_sku" in plan.fields
    partner = "partner_sku" in plan.fields
    if vendor:
        columns.append(
            _by_distinct(
                frame, "_s_vendor_sku", lambda v: in_catalogue(v) or via_alias(v), pl.String
            ).alias("_vendor_resolved")
        )
        if not partner:
            # A partner part number written in the SKU column is kept as the partner SKU.
            columns.append(
                _by_distinct(
                    frame,
                    "_s_vendor_sku",
                    lambda v: v if v and not in_catalogue(v) and via_alias(v) else "",
                    pl.String,
                ).alias("_partner_sku")
            )
    if partner:
        columns.append(
            _by_distinct(
                frame, "_s_partner_sku", lambda v: via_alias(v) or in_catalogue(v), pl.String
            ).alias("_partner_resolved")
        )
        columns.append(pl.col("_s_partner_sku").alias("_partner_sku"))
    if "currency" in plan.fields:
        columns.append(
            _by_distinct(frame, "_s_currency", currency_from_token, pl.String).alias(
                "_column_currency"
            )
        )
    else:
        columns.append(pl.lit(None, pl.String).alias("_column_currency"))
    tokens = [
        _by_distinct(frame, f"_{name}_token", self_currency(plan), pl.String)
        for name in MONEY_FIELDS
        if name in plan.fields and plan.style(name).currency
    ]
    symbol = pl.coalesce(tokens) if tokens else pl.lit(None, pl.String)
    columns.append(symbol.alias("_symbol_currency"))
    frame = frame.with_columns(columns)

    resolved = [pl.col(c) for c in ("_vendor_resolved", "_partner_resolved") if c in frame.columns]
    written = [_text(plan, name) for name in ("vendor_sku", "partner_sku") if name in plan.fields]
    written_sku = pl.coalesce([pl.when(w != "").then(w) for w in written]).fill_null("")
    header_currency = next(
        (
            plan.info.columns[plan.fields[name]].header_currency
            for name in ("amount", "unit_price")
            if name in plan.fields and plan.info.columns[plan.fields[name]].header_currency
        ),
        None,
    )
    currency = pl.coalesce(
        pl.col("_column_currency"),
        pl.col("_symbol_currency"),
        pl.lit(header_currency, pl.String),
        pl.lit(plan.default_currency, pl.String),
    )
    frame = frame.with_columns(
        pl.coalesce(resolved).alias("_vendor_sku"),
        written_sku.alias("_sku_written"),
        currency.alias("_currency"),
    )
    return frame.with_columns(
        _by_distinct(
            frame, "_currency", lambda code: CURRENCY_MINOR_UNITS.get(code, 2), pl.Int8
        ).alias("_minor")
    )


def self_currency(plan: _Plan):
    """Map a symbol or code found in an amount to ISO 4217, "$" and "¥" to the partner's
    own dollar or yen/yuan when its default currency is one (CAD, AUD, CNY...)."""
    default = plan.default_currency

    def currency(token: str) -> str | None:
        if not token:
            return None
        if token in ("$",) and default in DOLLAR_CURRENCIES:
            return default
        if token in ("¥", "￥") and default in YEN_YUAN_CURRENCIES:
            return default
        return currency_from_token(token)

    return currency


def _amounts(frame: pl.DataFrame) -> pl.DataFrame:
    """Signs, absolute values and the derived unit price or amount."""
    quantity, unit_price, amount = pl.col("_quantity"), pl.col("_unit_price"), pl.col("_amount")
    frame = frame.with_columns(
        (
            (quantity < 0).fill_null(False)
            | (unit_price < 0).fill_null(False)
            | (amount < 0).fill_null(False)
        ).alias("_negative"),
        quantity.abs().alias("_units"),
        unit_price.abs().alias("_unit_abs_given"),
        amount.abs().alias("_amount_abs_given"),
    )
    units = pl.col("_units")
    return frame.with_columns(
        (units * pl.col("_unit_abs_given")).alias("_expected_amount"),
    ).with_columns(
        pl.coalesce(pl.col("_amount_abs_given"), pl.col("_expected_amount")).alias("_amount_abs"),
        pl.coalesce(
            pl.col("_unit_abs_given"),
            pl.when(units != 0).then(pl.col("_amount_abs_given") / units),
        ).alias("_unit_abs"),
    )


def _checks(plan: _Plan) -> list[_Check]:
    date_pattern = plan.date_style.pattern()
    sku_field = "vendor_sku" if "vendor_sku" in plan.fields else "partner_sku"
    sku_written = pl.col("_sku_written") != ""
    checks = [
        _Check(
            "missing_invoice_number",
            plan.header("invoice_number"),
            _text(plan, "invoice_number") == "",
            pl.lit(""),
            _message(plan, "missing_invoice_number"),
        ),
        _Check(
            "missing_date",
            plan.header("invoice_date"),
            _text(plan, "invoice_date") == "",
            pl.lit(""),
            _message(plan, "missing_date", date_format=date_pattern),
        ),
        _Check(
            "bad_date",
            plan.header("invoice_date"),
            (_text(plan, "invoice_date") != "") & pl.col("_invoice_date").is_null(),
            _text(plan, "invoice_date"),
            _message(plan, "bad_date", date_format=date_pattern),
        ),
        _Check(
            "date_out_of_range",
            plan.header("invoice_date"),
            pl.col("_invoice_date").is_not_null() & ~date_in_range(pl.col("_invoice_date")),
            _text(plan, "invoice_date"),
            _message(plan, "date_out_of_range", min_year=MIN_YEAR, max_year=MAX_YEAR),
        ),
        _Check(
            "missing_quantity",
            plan.header("quantity"),
            _text(plan, "quantity") == "",
            pl.lit(""),
            _message(plan, "missing_quantity"),
        ),
        _Check(
            "bad_quantity",
            plan.header("quantity"),
            (_text(plan, "quantity") != "") & pl.col("_quantity").is_null(),
            _text(plan, "quantity"),
            _message(plan, "bad_quantity"),
        ),
        _Check(
            "fractional_quantity",
            plan.header("quantity"),
            pl.col("_quantity").cast(pl.Int64, strict=False).cast(MONEY) != pl.col("_quantity"),
            _text(plan, "quantity"),
            _message(plan, "fractional_quantity"),
        ),
        _Check(
            "missing_price",
            " / ".join(h for h in (plan.header("unit_price"), plan.header("amount")) if h),
            pl.all_horizontal([_text(plan, name) == "" for name in MONEY_FIELDS]),
            pl.lit(""),
            _message(plan, "missing_price"),
        ),
        _Check(
            "missing_sku",
            plan.header(sku_field),
            ~sku_written,
            pl.lit(""),
            _message(plan, "missing_sku"),
        ),
        _Check(
            "unknown_sku",
            plan.header(sku_field),
            sku_written & pl.col("_vendor_sku").is_null(),
            pl.col("_sku_written"),
            _message(plan, "unknown_sku"),
        ),
        _Check(
            "missing_currency",
            plan.header("currency"),
            pl.col("_currency").is_null() & (_text(plan, "currency") == ""),
            pl.lit(""),
            _message(plan, "missing_currency"),
        ),
    ]
    for name in MONEY_FIELDS:
        if name not in plan.fields:
            continue
        checks += [
            _Check(
                "bad_number",
                plan.header(name),
                (_text(plan, name) != "") & pl.col(f"_{name}").is_null(),
                _text(plan, name),
                _message(plan, "bad_number", example=plan.style(name).example or "1234.56"),
            ),
            _Check(
                "number_too_large",
                plan.header(name),
                pl.col(f"_{name}").abs() >= MAX_MONEY,
                _text(plan, name),
                _message(plan, "number_too_large"),
            ),
        ]
    if "currency" in plan.fields:
        checks.append(
            _Check(
                "unknown_currency",
                plan.header("currency"),
                (_text(plan, "currency") != "") & pl.col("_column_currency").is_null(),
                _text(plan, "currency"),
                _message(plan, "unknown_currency"),
            )
        )
        if any(plan.style(name).currency for name in MONEY_FIELDS if name in plan.fields):
            checks.append(
                _Check(
                    "currency_conflict",
                    plan.header("currency"),
                    pl.col("_column_currency").is_not_null()
                    & pl.col("_symbol_currency").is_not_null()
                    & (pl.col("_column_currency") != pl.col("_symbol_currency")),
                    _text(plan, "currency"),
                    pl.format(
                        plan.message("currency_conflict")
                        .replace("{symbol_currency}", "{}")
                        .replace("{column_currency}", "{}"),
                        pl.col("_symbol_currency"),
                        pl.col("_column_currency"),
                    ),
                )
            )
    if all(name in plan.fields for name in MONEY_FIELDS):
        minor = pl.col("_minor")
        one_unit = pl.when(minor == 2).then(0.01).when(minor == 0).then(1.0).otherwise(0.001)
        tolerance = one_unit * pl.max_horizontal(pl.lit(1.0), pl.col("_units").cast(pl.Float64) / 2)
        difference = (pl.col("_expected_amount") - pl.col("_amount_abs_given")).abs()
        checks.append(
            _Check(
                "amount_mismatch",
                plan.header("amount"),
                difference.cast(pl.Float64) > tolerance + 1e-9,
                _text(plan, "amount"),
                pl.lit(""),  # written per row in `_errors`, with both figures
            )
        )
    spare = pl.col(column_name(len(plan.info.headers)))
    delimiter = {"\t": "tab", None: "the separator"}.get(plan.info.delimiter, plan.info.delimiter)
    checks.append(
        _Check(
            "ragged_row",
            "",
            spare.is_not_null() & (spare.str.strip_chars() != ""),
            _raw_row(plan.info),
            _message(plan, "ragged_row", delimiter=delimiter),
        )
    )
    return checks


# --- one chunk -----------------------------------------------------------------------


def _normalise_frame(frame: pl.DataFrame, plan: _Plan, index: int, progress: float) -> Chunk:
    width = len(plan.info.headers)
    data_columns = [column_name(i) for i in range(width + 1)]
    rows_read = frame.height
    first_row = frame["source_row"][0] if rows_read else None
    last_row = frame["source_row"][-1] if rows_read else None
    frame = frame.filter(~pl.all_horizontal(pl.col(data_columns).is_null()))
    blank_rows = rows_read - frame.height

    frame = run_stages(frame, plan.stages)
    frame = _amounts(_lookups(_repair(frame, plan), plan))

    condition_names = [f"_error_{i}" for i in range(len(plan.checks))]
    frame = frame.with_columns(
        [
            check.condition.fill_null(False).alias(name)
            for check, name in zip(plan.checks, condition_names, strict=True)
        ]
    ).with_columns(pl.any_horizontal(condition_names).alias("_has_error"))

    skipped_rows = 0
    failed = frame.filter(pl.col("_has_error"))
    good = frame
    if failed.height:
        skip = _not_sales_rows(failed, plan, data_columns[:width])
        if skip:
            skipped_rows = len(skip)
            failed = failed.filter(~pl.col("source_row").is_in(sorted(skip)))
        # Narrow the frame before filtering it: filtering copies every column kept.
        kept = [f"_s_{name}" for name in plan.fields] + list(_LINE_INPUTS)
        good = frame.select(kept).filter(~pl.col("_has_error"))
    return Chunk(
        index=index,
        lines=_lines(good, plan),
        errors=_errors(failed, plan, condition_names),
        rows_read=rows_read,
        blank_rows=blank_rows,
        skipped_rows=skipped_rows,
        progress=progress,
        first_row=first_row,
        last_row=last_row,
    )


def _lines(good: pl.DataFrame, plan: _Plan) -> pl.DataFrame:
    minors = set(good.get_column("_minor").unique().drop_nulls().to_list()) or {2}
    good = run_stages(
        good, money_text_stages("_unit_abs", "_minor", "unit_price", minors, keep_precision=True)
    )
    good = good.with_columns(
        pl.when(pl.col("_negative"))
        .then(-pl.col("_amount_abs"))
        .otherwise(pl.col("_amount_abs"))
        .alias("_amount_signed")
    )
    good = run_stages(good, money_text_stages("_amount_signed", "_minor", "amount", minors))
    country = (
        _by_distinct(good, "_s_end_customer_country", lambda v: country_code(v) or v, pl.String)
        if "end_customer_country" in plan.fields
        else pl.lit("")
    )
    units = pl.col("_units").cast(pl.Int64)
    return good.select(
        pl.lit(plan.partner_slug, pl.String).alias("partner"),
        pl.col("_s_invoice_number").alias("invoice_number"),
        pl.col("_invoice_date").alias("invoice_date"),
        _text(plan, "reseller").alias("reseller"),
        _text(plan, "end_customer").alias("end_customer"),
        country.fill_null("").alias("end_customer_country"),
        pl.col("_vendor_sku").alias("vendor_sku"),
        pl.col("_partner_sku").alias("partner_sku"),
        pl.when(pl.col("_negative")).then(-units).otherwise(units).alias("quantity"),
        pl.col("unit_price").fill_null(""),
        pl.col("amount"),
        pl.col("_currency").alias("currency"),
        pl.col("source_row"),
        pl.when(pl.col("_negative"))
        .then(pl.lit("return"))
        .otherwise(pl.lit("sale"))
        .alias("transaction_type"),
    )


def _not_sales_rows(failed: pl.DataFrame, plan: _Plan, data_columns: list[str]) -> set[int]:
    """Source rows among the failed ones that are totals, repeated headers or blank."""
    key_empty = pl.any_horizontal([_text(plan, name) == "" for name in REQUIRED_FIELDS])
    invoice_header = plan.info.headers[plan.fields["invoice_number"]]
    # The whole name, or a grouped header's lower row as written ("No" under "Invoice").
    column = plan.fields["invoice_number"]
    lower = plan.info.group_names[column : column + 1]
    names = sorted({invoice_header, *lower})
    repeated_header = _text(plan, "invoice_number").is_in(names)
    candidates = failed.filter(key_empty | repeated_header)
    if not candidates.height or candidates.height > MAX_FOOTER_CANDIDATES:
        return set()
    header_cells = {fold(header) for header in plan.info.headers if header}
    # A grouped header's rows, printed again: the lower row holds the short names.
    header_cells |= {fold(name) for name in plan.info.group_names if name}
    group_labels = [fold(label) for label in plan.info.group_labels]
    typical = len(plan.fields)
    skip: set[int] = set()
    for row in candidates.select(["source_row", *data_columns]).iter_rows():
        cells = [cell.strip() if cell else "" for cell in row[1:]]
        folded = [fold(cell) for cell in cells if cell]
        if not folded:
            skip.add(row[0])  # only spaces
        elif sum(cell in header_cells for cell in folded) >= max(2, len(folded) // 2):
            skip.add(row[0])  # the header again (multi-page exports)
        elif group_labels and folded == group_labels:
            skip.add(row[0])  # a grouped header's label row again
        elif is_total_row(cells, typical):
            skip.add(row[0])
    return skip


def _errors(failed: pl.DataFrame, plan: _Plan, condition_names: list[str]) -> pl.DataFrame:
    if not failed.height:
        return pl.DataFrame(schema=_ERROR_SCHEMA)
    parts = []
    for check, name in zip(plan.checks, condition_names, strict=True):
        rows = failed.filter(pl.col(name))
        if not rows.height:
            continue
        message = check.message
        if check.code == "amount_mismatch":
            minors = set(rows.get_column("_minor").unique().drop_nulls().to_list()) or {2}
            rows = run_stages(rows, money_text_stages("_expected_amount", "_minor", "_x", minors))
            rows = run_stages(rows, money_text_stages("_amount_abs_given", "_minor", "_a", minors))
            template = plan.message("amount_mismatch")
            message = pl.format(
                template.replace("{expected}", "{}").replace("{amount}", "{}"),
                pl.col("_x"),
                pl.col("_a"),
            )
        parts.append(
            rows.select(
                pl.col("source_row"),
                pl.lit(check.column, pl.String).alias("column"),
                check.value.cast(pl.String)
                .str.replace(r"^\x00[#@]", "")
                .fill_null("")
                .alias("value"),
                pl.lit(check.code, pl.String).alias("code"),
                message.cast(pl.String).alias("message"),
            )
        )
    return pl.concat(parts).sort("source_row", maintain_order=True).select(ERROR_COLUMNS)
