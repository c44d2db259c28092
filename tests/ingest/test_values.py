"""Number styles, date formats and their vectorised parsing, on values partners write."""

import datetime
from decimal import Decimal

import polars as pl
import pytest

from reporting.ingest.expressions import money_text_stages, parse_date, parse_numbers, run_stages
from reporting.ingest.values import (
    DateStyle,
    NumberStyle,
    detect_date_style,
    detect_number_style,
    profile_column,
)
from reporting.ingest.workbook import NATIVE_DATE, NATIVE_NUMBER


def parsed(values: list[str], style: NumberStyle) -> list[Decimal | None]:
    return [
        None if value is None else value.normalize()
        for value in parse_numbers(pl.Series(values), style).to_list()
    ]


@pytest.mark.parametrize(
    ("values", "decimal", "thousands", "expected"),
    [
        (["1,234.56", "12.50", "0.99"], ".", ",", ["1234.56", "12.5", "0.99"]),
        (["1.234,56", "12,50", "1.000.000,00"], ",", ".", ["1234.56", "12.5", "1000000"]),
        (["1 234,56", "12,50", "999,00"], ",", " ", ["1234.56", "12.5", "999"]),
        (["1\u00a0234,56", "2\u00a0000\u00a0000,10"], ",", "\u00a0", ["1234.56", "2000000.1"]),
        (["1'234.56", "12'000.00", "5.05"], ".", "'", ["1234.56", "12000", "5.05"]),
        (["21.158.200", "528.955", "1.445.387"], ",", ".", ["21158200", "528955", "1445387"]),
    ],
)
def test_it_detects_and_reads_number_styles(values, decimal, thousands, expected):
    style = detect_number_style(values)
    assert (style.decimal, style.thousands) == (decimal, thousands)
    assert parsed(values, style) == [Decimal(value) for value in expected]


def test_it_reads_negatives_in_brackets_with_trailing_minus_and_with_symbols():
    values = ["($1,234.50)", "56.91-", "-€12.00", "€ 8.00", "7.25 EUR", "(3.00)"]
    style = detect_number_style(values)
    assert style.decimal == "."
    assert parsed(values, style) == [
        Decimal("-1234.5"),
        Decimal("-56.91"),
        Decimal("-12"),
        Decimal("8"),
        Decimal("7.25"),
        Decimal("-3"),
    ]


def test_it_names_the_currency_written_in_the_values():
    assert detect_number_style(["$56.91", "$1,234.00"]).currency == "USD"
    assert detect_number_style(["12,50 €", "1.000,00 €"]).currency == "EUR"
    assert detect_number_style(["1.234.567 ₫"]).currency == "VND"


def test_it_lets_other_columns_decide_an_ambiguous_thousands_mark():
    ambiguous = ["1.234", "5.000", "12.500"]
    assert detect_number_style(ambiguous).ambiguous
    assert detect_number_style(ambiguous, decimal_hint=",").decimal == ","
    assert parsed(ambiguous, detect_number_style(ambiguous, decimal_hint=",")) == [
        Decimal(1234),
        Decimal(5000),
        Decimal(12500),
    ]


def test_it_refuses_a_number_written_in_the_other_style_instead_of_misreading_it():
    german = NumberStyle(decimal=",", thousands=".")
    assert parsed(["12.5", "1.234,5", "abc", "1,2,3"], german) == [
        None,
        Decimal("1234.5"),
        None,
        None,
    ]


def test_it_reads_native_spreadsheet_numbers_whatever_the_column_style():
    german = NumberStyle(decimal=",", thousands=".")
    assert parsed([NATIVE_NUMBER + "1234.5", NATIVE_NUMBER + "-3"], german) == [
        Decimal("1234.5"),
        Decimal(-3),
    ]


def test_it_rounds_money_half_up_to_the_currencys_minor_units():
    frame = pl.DataFrame(
        {"value": ["2.675", "-2.675", "0.004", "21158200.4", "1.0005"], "minor": [2, 2, 2, 0, 3]},
        schema={"value": pl.Decimal(38, 6), "minor": pl.Int8},
    )
    frame = run_stages(frame, money_text_stages("value", "minor", "text", {0, 2, 3}))
    assert frame["text"].to_list() == ["2.68", "-2.68", "0.00", "21158200", "1.001"]


def test_it_keeps_extra_decimals_of_a_unit_price_only_when_there_are_some():
    frame = pl.DataFrame(
        {"value": ["1757.5", "0.1234", "33.333333", "100"], "minor": [2, 2, 2, 0]},
        schema={"value": pl.Decimal(38, 6), "minor": pl.Int8},
    )
    stages = money_text_stages("value", "minor", "text", {0, 2}, keep_precision=True)
    assert run_stages(frame, stages)["text"].to_list() == ["1757.50", "0.1234", "33.3333", "100"]


# --- dates ---------------------------------------------------------------------------


def dates(values: list[str], style: DateStyle, order=None, workbook=False) -> list:
    frame = pl.DataFrame({"text": values})
    expression = parse_date(pl.col("text"), style, order or style.order, from_workbook=workbook)
    return frame.select(expression.alias("date"))["date"].to_list()


@pytest.mark.parametrize(
    ("values", "order", "shapes", "expected"),
    [
        (["2026-09-01", "2026-09-30"], None, ["iso"], ["2026-09-01", "2026-09-30"]),
        (["01.09.2026", "30.09.2026"], "dmy", ["numeric"], ["2026-09-01", "2026-09-30"]),
        (["9/1/2026", "9/30/2026"], "mdy", ["numeric"], ["2026-09-01", "2026-09-30"]),
        (["09/01/26", "09/30/26"], "mdy", ["numeric"], ["2026-09-01", "2026-09-30"]),
        (["05-Sep-2026", "30-Sep-2026"], None, ["named"], ["2026-09-05", "2026-09-30"]),
        (["Sep 5, 2026", "Sep 30, 2026"], None, ["named"], ["2026-09-05", "2026-09-30"]),
        (["5. März 2026", "1 févr. 2026"], None, ["named"], ["2026-03-05", "2026-02-01"]),
        (["20260901", "20260930"], None, ["compact"], ["2026-09-01", "2026-09-30"]),
        (["46266", "46295"], None, ["serial"], ["2026-09-01", "2026-09-30"]),
        (["2026年9月1日", "2026年9月30日"], None, ["japanese"], ["2026-09-01", "2026-09-30"]),
        (["2026-09-01 14:30:00", "2026-09-30T08:00"], None, ["iso"], ["2026-09-01", "2026-09-30"]),
    ],
)
def test_it_detects_and_reads_date_formats(values, order, shapes, expected):
    style = detect_date_style(values)
    assert style.shapes == shapes
    assert style.order == order
    assert [d.isoformat() for d in dates(values, style)] == expected


def test_it_proves_day_first_from_a_first_part_above_twelve():
    style = detect_date_style(["03/04/2026", "05/06/2026", "13/04/2026"])
    assert style.order == "dmy"
    assert dates(["03/04/2026"], style) == [datetime.date(2026, 4, 3)]


def test_it_proves_month_first_from_a_second_part_above_twelve():
    style = detect_date_style(["03/04/2026", "05/06/2026", "04/13/2026"])
    assert style.order == "mdy"
    assert dates(["03/04/2026"], style) == [datetime.date(2026, 3, 4)]


def test_it_leaves_an_all_ambiguous_column_undecided():
    style = detect_date_style(["03/04/2026", "05/06/2026", "11/12/2026"])
    assert style.order is None and style.ambiguous
    assert dates(["03/04/2026"], style, order="dmy") == [datetime.date(2026, 4, 3)]
    assert dates(["03/04/2026"], style, order="mdy") == [datetime.date(2026, 3, 4)]


def test_it_reads_real_date_cells_and_excel_serials_from_workbooks():
    style = DateStyle(shapes=["native", "serial"])
    values = [NATIVE_DATE + "2026-09-01", NATIVE_NUMBER + "46295", "not a date"]
    assert dates(values, style, workbook=True) == [
        datetime.date(2026, 9, 1),
        datetime.date(2026, 9, 30),
        None,
    ]


def test_it_gives_no_date_for_impossible_days():
    style = detect_date_style(["31.01.2026", "28.02.2026"])
    assert dates(["30.02.2026", "31.04.2026", "15.13.2026"], style) == [None, None, None]


def test_it_profiles_a_column_of_iso_currency_codes_as_currency():
    assert profile_column(0, "Whg", ["EUR", "USD", "EUR", "CHF"], None).kind == "currency"


def test_it_profiles_integer_and_money_columns_apart():
    assert profile_column(0, "Qty", ["1", "25", "-3"], None).kind == "integer"
    assert profile_column(0, "Price", ["1.234,50", "17,00"], None).kind == "number"
    assert profile_column(0, "Name", ["Bäckerei Groß KG", "Weiß & Söhne AG"], None).kind == "text"
