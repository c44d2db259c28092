"""Round trip: canonical sales lines -> a report in a real-world style -> ingestion -> lines.

`generate(seed)` draws one report: canonical lines (the truth) and a style combining the
ways partners' files differ (format, encoding, delimiter, header language and
abbreviation, date and number style, negative amounts, title and footer rows, cover
sheet, typed or text cells, blank rows, trailing empty columns, currency column or
not), and writes the file the way the programs that make such files write them:
stdlib `csv` for text, openpyxl for .xlsx/.xlsm, xlwt for .xls, odfpy for .ods.

`check(report, directory)` ingests the file with the core (inspect, propose_mapping,
normalise) and compares what comes back with the truth on the fields the samples are
scored on. The proposal may stop for a person only when a person could not tell either
(`Report.person_must_choose`): all dates are day/month ambiguous (every day <= 12) and
the dates are written as numbers. Then the check confirms as that person would (the
proposed columns, the true date order) and the lines must still come back exactly.

A seeded `random.Random` per report keeps every failure reproducible from its seed
(`python -m bench.roundtrip --seed N --keep DIR` writes it out).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

CATALOGUE = ("RP-SW-100", "RP-AP-220", "RP-FW-500", "RP-LIC-3Y", "RP-CBL-2M", "RP-SFP-10G")
COMPARED = ("invoice_number", "invoice_date", "vendor_sku", "quantity", "amount", "currency")
ZERO_DECIMALS = {"JPY", "VND"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Column names per language: (full, abbreviated) per canonical field.
HEADERS = {
    "en": {
        "invoice_number": ("Invoice Number", "Inv. No."),
        "invoice_date": ("Invoice Date", "Inv. Dt."),
        "end_customer": ("End Customer", "Cust. Name"),
        "vendor_sku": ("SKU", "Part #"),
        "quantity": ("Quantity", "Qty."),
        "unit_price": ("Unit Price", "Unit Pr."),
        "amount": ("Amount", "Ext. Amt."),
        "currency": ("Currency", "Curr."),
    },
    "de": {
        "invoice_number": ("Rechnungsnummer", "Re-Nr."),
        "invoice_date": ("Rechnungsdatum", "Re-Datum"),
        "end_customer": ("Endkunde", "Kd-Name"),
        "vendor_sku": ("Artikelnummer", "Art.-Nr."),
        "quantity": ("Menge", "Mge"),
        "unit_price": ("Einzelpreis", "EP"),
        "amount": ("Gesamtbetrag", "GP"),
        "currency": ("Währung", "Whg."),
    },
    "fr": {
        "invoice_number": ("Numéro de facture", "N° fact."),
        "invoice_date": ("Date de facture", "Date fact."),
        "end_customer": ("Client final", "Client"),
        "vendor_sku": ("Référence produit", "Réf."),
        "quantity": ("Quantité", "Qté"),
        "unit_price": ("Prix unitaire", "PU HT"),
        "amount": ("Montant", "Mt HT"),
        "currency": ("Devise", "Dev."),
    },
    "es": {
        "invoice_number": ("Número de factura", "Nº Fra."),
        "invoice_date": ("Fecha de factura", "F. Fra."),
        "end_customer": ("Cliente final", "Cliente"),
        "vendor_sku": ("Código de producto", "Ref."),
        "quantity": ("Cantidad", "Cant."),
        "unit_price": ("Precio unitario", "P.U."),
        "amount": ("Importe", "Importe"),
        "currency": ("Moneda", "Moneda"),
    },
    "vi": {
        "invoice_number": ("Số hóa đơn", "Số HĐ"),
        "invoice_date": ("Ngày hóa đơn", "Ngày HĐ"),
        "end_customer": ("Tên khách hàng", "Tên KH"),
        "vendor_sku": ("Mã hàng", "Mã SP"),
        "quantity": ("Số lượng", "SL"),
        "unit_price": ("Đơn giá", "ĐG"),
        "amount": ("Thành tiền", "TT"),
        "currency": ("Loại tiền", "Loại tiền"),
    },
    "ja": {
        "invoice_number": ("請求書番号", "請求No"),
        "invoice_date": ("請求日", "請求日"),
        "end_customer": ("顧客名", "得意先名"),
        "vendor_sku": ("品番", "品番"),
        "quantity": ("数量", "数量"),
        "unit_price": ("単価", "単価"),
        "amount": ("金額", "金額"),
        "currency": ("通貨", "通貨"),
    },
}
CUSTOMERS = {
    "en": ("Redwood Credit Union", "Harbor View Hotels", "Bright Dental, Inc.", "O'Neil & Sons"),
    "de": ("Müller Bäckerei GmbH", "Stadtwerke Süd", "Weiß & Söhne KG", "Hüttl Maschinenbau"),
    "fr": ("Société Générale d'Études", "Boulangerie Lefèvre", "Hôtel du Lac", "Crédit Agricole"),
    "es": ("Compañía Española SA", "Peña y Núñez SL", "Hospital San José", "Señorío de Ávila"),
    "vi": ("Công ty TNHH An Phát", "Ngân hàng Á Châu", "Bệnh viện Chợ Rẫy", "Trường Đại học Huế"),
    "ja": ("株式会社山田商事", "東京海上システム", "大阪ガス株式会社", "北海道銀行"),
}
TITLES = {
    "en": ("Sales report", "Partner: Northwind Traders", "Period: September 2026"),
    "de": ("Verkaufsbericht", "Partner: Müller IT GmbH", "Zeitraum: September 2026"),
    "fr": ("Rapport des ventes", "Partenaire : Dupont SA", "Période : septembre 2026"),
    "es": ("Informe de ventas", "Socio: Ibérica SL", "Periodo: septiembre 2026"),
    "vi": ("BÁO CÁO DOANH SỐ", "Đối tác: Saigon Distribution", "Kỳ: tháng 09/2026"),
    "ja": ("売上報告書", "パートナー: 山田商事", "期間: 2026年9月"),
}
TOTAL_WORDS = {
    "en": "Total",
    "de": "Summe",
    "fr": "Total général",
    "es": "Total",
    "vi": "Tổng cộng",
    "ja": "合計",
}
SUBTOTAL_WORDS = {
    "en": "Subtotal",
    "de": "Zwischensumme",
    "fr": "Sous-total",
    "es": "Subtotal",
    "vi": "Cộng",
    "ja": "小計",
}
# A label merged over the invoice number and date, and the names under it.
GROUP_LABELS = {
    "en": ("Invoice", "No", "Date"),
    "de": ("Rechnung", "Nr.", "Datum"),
    "fr": ("Facture", "N°", "Date"),
    "es": ("Factura", "Nº", "Fecha"),
    "vi": ("Hóa đơn", "Số", "Ngày"),
    "ja": ("請求", "番号", "日"),
}
CURRENCIES = {
    "en": ("USD", "GBP"),
    "de": ("EUR", "CHF"),
    "fr": ("EUR",),
    "es": ("EUR",),
    "vi": ("VND", "USD"),
    "ja": ("JPY",),
}
# Where the language's partners put the decimal mark and how they write dates.
DECIMAL_COMMA = {"de", "fr", "es", "vi"}
TEXT_DATES = (
    "iso", "dmy_dot", "dmy_slash", "mdy_slash", "named", "named_yy", "compact", "ymd_slash",
    "iso_time", "iso_t", "mdy_short",
)  # fmt: skip
NUMBER_STYLES = ("plain", "grouped", "spaced", "swiss", "indian", "symbol", "code")
NOTES = {
    "en": ("Notes", "promo", "renewal", ""),
    "de": ("Bemerkung", "Aktion", "Verlängerung", ""),
    "fr": ("Remarque", "promo", "renouvellement", ""),
    "es": ("Observaciones", "promoción", "renovación", ""),
    "vi": ("Ghi chú", "khuyến mãi", "gia hạn", ""),
    "ja": ("備考", "キャンペーン", "更新", ""),
}


@dataclass
class Line:
    invoice_number: str
    invoice_date: datetime.date
    end_customer: str
    vendor_sku: str
    quantity: int
    unit_price: Decimal
    amount: Decimal
    currency: str


@dataclass
class Style:
    file_format: str  # csv tsv txt xlsx xlsm xls ods
    language: str
    abbreviated: bool
    encoding: str = "utf-8"
    delimiter: str = ","
    sep_line: bool = False
    date_style: str = "iso"  # TEXT_DATES, "serial" (text), "native" (date cells)
    number_style: str = "plain"
    decimal_comma: bool = False
    negative: str = "minus"  # minus | parentheses | trailing
    typed_cells: bool = False  # workbooks: numbers and dates as typed cells
    title_rows: int = 0
    footer: bool = False
    blank_rows: bool = False
    cover_sheet: bool = False
    trailing_columns: int = 0
    repeated_header: bool = False  # printed again every 15 lines (page breaks)
    spacer_column: bool = False  # an empty column between two others
    notes_column: bool = False  # a free-text column nobody maps
    few_days: bool = False  # every date on a day <= 12 (the first third of a month)
    big_quantities: bool = False  # thousands of units, grouped like the amounts
    wrapped_headers: bool = False  # workbooks: header cells with a line break inside
    currency_in_header: bool = False  # "Amount (EUR)" instead of a currency column
    mixed_currencies: bool = False  # one currency column, two currencies
    leading_zeros: bool = False  # invoice numbers such as 000123 (kept as text)
    margin_column: bool = False  # the table starts in column B (an empty margin column)
    subtotals: bool = False  # a subtotal row after each invoice
    quantity_decimals: int = 0  # ERPs that write 2.00 or 2,000 units
    upper_headers: bool = False  # INVOICE NUMBER
    padded_cells: bool = False  # values with spaces around them
    grouped_header: bool = False  # workbooks: a label row merged over pairs of columns
    names_merged_down: bool = False  # ... with the other columns' names in the label row
    line_feed: bool = False  # text: LF line ends instead of CRLF
    prices: str = "both"  # both | unit | amount
    currency_column: bool = True
    numeric_invoice_numbers: bool = False
    columns: list[str] = field(default_factory=list)
    columns_currency: str = ""  # the currency of the line being written (symbols, codes)

    def describe(self) -> str:
        """A short label, for grouping results by style in the bench."""
        cells = "typed" if self.typed_cells else "text"
        where = self.encoding if self.file_format in ("csv", "tsv", "txt") else cells
        return f"{self.file_format}/{where}/{self.language}/{self.date_style}/{self.number_style}"


@dataclass
class Report:
    seed: int
    style: Style
    lines: list[Line]
    default_currency: str
    filename: str
    data: bytes

    @property
    def date_order(self) -> str | None:
        orders = {"dmy_dot": "dmy", "dmy_slash": "dmy", "mdy_slash": "mdy", "mdy_short": "mdy"}
        return orders.get(self.style.date_style)

    @property
    def person_must_choose(self) -> bool:
        """Every date reads as day/month and as month/day: nobody could tell the order."""
        return self.date_order is not None and all(
            line.invoice_date.day <= 12 for line in self.lines
        )


# --- drawing a report ------------------------------------------------------------------


def draw_style(rng: random.Random) -> Style:
    file_format = rng.choice(("csv", "csv", "tsv", "txt", "xlsx", "xlsx", "xlsm", "xls", "ods"))
    language = rng.choice(tuple(HEADERS))
    style = Style(file_format=file_format, language=language, abbreviated=rng.random() < 0.5)
    style.decimal_comma = language in DECIMAL_COMMA and rng.random() < 0.8
    style.number_style = rng.choice(NUMBER_STYLES)
    style.negative = rng.choice(("minus", "minus", "parentheses", "trailing"))
    style.title_rows = rng.choice((0, 0, 1, 2, 3))
    style.footer = rng.random() < 0.4
    style.blank_rows = rng.random() < 0.2
    style.prices = rng.choice(("both", "unit", "amount"))
    style.currency_column = rng.random() < 0.6
    style.numeric_invoice_numbers = rng.random() < 0.25
    style.repeated_header = rng.random() < 0.1
    style.spacer_column = rng.random() < 0.1
    style.notes_column = rng.random() < 0.2
    style.few_days = rng.random() < 0.1
    style.big_quantities = rng.random() < 0.15
    style.wrapped_headers = file_format not in ("csv", "tsv", "txt") and rng.random() < 0.2
    style.currency_in_header = not style.currency_column and rng.random() < 0.3
    style.mixed_currencies = style.currency_column and rng.random() < 0.15
    style.leading_zeros = rng.random() < 0.1
    style.margin_column = rng.random() < 0.1
    style.subtotals = rng.random() < 0.1
    style.quantity_decimals = rng.choice((0, 0, 0, 0, 0, 0, 2, 3))
    style.upper_headers = rng.random() < 0.1
    style.padded_cells = rng.random() < 0.1
    style.grouped_header = file_format in ("xlsx", "xlsm") and rng.random() < 0.15
    style.names_merged_down = style.grouped_header and rng.random() < 0.5
    style.line_feed = rng.random() < 0.3
    if file_format in ("csv", "tsv", "txt"):
        style.delimiter = {"tsv": "\t", "txt": rng.choice(("|", "\t", ";"))}.get(
            file_format, ";" if style.decimal_comma else rng.choice((",", ",", ";"))
        )
        style.sep_line = file_format == "csv" and rng.random() < 0.15
        encodings = ["utf-8", "utf-8-sig", "utf-16"]
        encodings += {"ja": ["shift_jis"], "vi": []}.get(language, ["cp1252"])
        style.encoding = rng.choice(encodings)
        style.date_style = rng.choice(TEXT_DATES + ("serial",))
        style.trailing_columns = rng.choice((0, 0, 0, 2))
    else:
        style.typed_cells = rng.random() < 0.7
        style.date_style = "native" if style.typed_cells else rng.choice(TEXT_DATES)
        style.cover_sheet = file_format != "xls" and rng.random() < 0.3
        if style.typed_cells:
            style.number_style = "plain"
    if style.encoding == "shift_jis":
        style.mixed_currencies = False  # no euro sign in Shift-JIS
    home_comma = {"vi": True, "ja": False}.get(language)
    if home_comma is not None and style.decimal_comma != home_comma:
        # "2.000" units in a dong report written with decimal points: a Vietnamese
        # reader takes it for two thousand. Not a file anyone could read, so not drawn.
        style.quantity_decimals = 0
    if style.number_style == "spaced" and style.encoding == "shift_jis":
        style.number_style = "grouped"  # Shift-JIS has no no-break space
    if style.number_style == "indian" and style.decimal_comma:
        style.number_style = "grouped"
    if style.number_style == "swiss" and style.decimal_comma:
        style.number_style = "spaced"
    fields = ["invoice_number", "invoice_date", "end_customer", "vendor_sku", "quantity"]
    fields += {"both": ["unit_price", "amount"], "unit": ["unit_price"], "amount": ["amount"]}[
        style.prices
    ]
    if style.currency_column:
        fields.append("currency")
    if style.notes_column:
        fields.append("notes")
    head, tail = fields[:2], fields[2:]
    rng.shuffle(tail)
    style.columns = head + tail if rng.random() < 0.7 else tail[:1] + head + tail[1:]
    if style.spacer_column:
        style.columns.insert(rng.randint(1, len(style.columns) - 1), "spacer")
    return style


def draw_lines(rng: random.Random, style: Style, currency: str) -> list[Line]:
    count = rng.randint(3, 40)
    month = rng.randint(1, 12)
    year = rng.choice((2025, 2026))
    lines = []
    invoice = rng.randint(1000, 9000)
    for _ in range(count):
        if rng.random() < 0.6:
            invoice += rng.randint(1, 7)
        day = rng.randint(1, 12 if style.few_days else 28)
        quantities = (1, 2, 3, 5, 10, 12, 25, 100, 250)
        if style.big_quantities:
            quantities = (1_000, 1_500, 2_500, 12_000, 5, 40)
        quantity = rng.choice(quantities) * rng.choice((1, 1, 1, 1, -1))
        if currency in ZERO_DECIMALS:
            price = Decimal(rng.randint(1, 9000) * rng.choice((1, 100, 1000)))
        else:
            price = Decimal(rng.randint(50, 900_000)) / 100
        number = str(invoice) if style.numeric_invoice_numbers else f"INV-{year % 100}-{invoice}"
        if style.leading_zeros:
            number = f"{invoice:08d}"
        line_currency = currency
        if style.mixed_currencies and rng.random() < 0.3:
            line_currency = "EUR" if currency != "EUR" else "USD"
        lines.append(
            Line(
                invoice_number=number,
                invoice_date=datetime.date(year, month, day),
                end_customer=rng.choice(CUSTOMERS[style.language]),
                vendor_sku=rng.choice(CATALOGUE),
                quantity=quantity,
                unit_price=price,
                amount=price * quantity,
                currency=line_currency,
            )
        )
    numeric = style.date_style in ("dmy_dot", "dmy_slash", "mdy_slash", "mdy_short")
    if numeric and not style.few_days and rng.random() < 0.6:
        # Most months have a day after the 12th; a short report may not.
        lines[rng.randrange(len(lines))].invoice_date = datetime.date(year, month, 13 + day % 15)
    return lines


def generate(seed: int) -> Report:
    rng = random.Random(seed)
    style = draw_style(rng)
    currency = rng.choice(CURRENCIES[style.language])
    lines = draw_lines(rng, style, currency)
    extension = style.file_format
    filename = f"report-{seed}.{extension}"
    writer = {
        "csv": write_text,
        "tsv": write_text,
        "txt": write_text,
        "xlsx": write_xlsx,
        "xlsm": write_xlsx,
        "xls": write_xls,
        "ods": write_ods,
    }[extension]
    data = writer(style, lines, rng)
    return Report(seed, style, lines, currency, filename, data)


# --- cells as the style writes them ------------------------------------------------------


def header_row(style: Style, currency: str = "") -> list[str]:
    names = HEADERS[style.language]
    cells = []
    for column in style.columns:
        if column in ("spacer", "notes"):
            cells.append({"spacer": "", "notes": NOTES[style.language][0]}[column])
            continue
        name = names[column][1 if style.abbreviated else 0]
        if style.currency_in_header and column in ("unit_price", "amount"):
            name = f"{name} ({currency})"
        if style.upper_headers:
            name = name.upper()
        if style.wrapped_headers and " " in name:
            name = name.replace(" ", "\n", 1)  # Alt+Enter in the header cell
        cells.append(name)
    return cells


def date_text(day: datetime.date, style: str) -> str:
    return {
        "iso": day.isoformat(),
        "dmy_dot": day.strftime("%d.%m.%Y"),
        "dmy_slash": day.strftime("%d/%m/%Y"),
        "mdy_slash": day.strftime("%m/%d/%Y"),
        "named": f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year}",
        "named_yy": f"{day.day:02d}-{MONTHS[day.month - 1]}-{day.year % 100:02d}",
        "iso_time": f"{day.isoformat()} 00:00:00",
        "iso_t": f"{day.isoformat()}T00:00:00",
        "mdy_short": f"{day.month}/{day.day}/{day.year}",
        "compact": day.strftime("%Y%m%d"),
        "ymd_slash": day.strftime("%Y/%m/%d"),
        "serial": str((day - datetime.date(1899, 12, 30)).days),
    }[style]


def _group(digits: str, indian: bool) -> list[str]:
    if not indian or len(digits) <= 3:
        groups = []
        while digits:
            groups.insert(0, digits[-3:])
            digits = digits[:-3]
        return groups
    head, last = digits[:-3], digits[-3:]
    groups = [last]
    while head:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return groups


def number_text(value: Decimal, style: Style, decimals: int) -> str:
    negative = value < 0
    text = f"{abs(value):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    mark = "," if style.decimal_comma else "."
    grouping = {"grouped": "." if style.decimal_comma else ",", "spaced": "\u00a0", "swiss": "'"}
    separator = grouping.get(style.number_style, "")
    if style.number_style == "indian":
        separator = ","
    if style.number_style in ("symbol", "code"):
        separator = "." if style.decimal_comma else ","
    if separator:
        whole = separator.join(_group(whole, style.number_style == "indian"))
    body = whole + (mark + fraction if fraction else "")
    if style.number_style == "symbol":
        symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "VND": "₫", "CHF": "CHF"}
        sign = symbol.get(style.columns_currency, "")
        body = f"{sign}{body}" if sign in ("$", "£", "¥") else f"{body} {sign}".strip()
    if style.number_style == "code":
        body = f"{body} {style.columns_currency}"
    if not negative:
        return body
    return {"minus": f"-{body}", "parentheses": f"({body})", "trailing": f"{body}-"}[style.negative]


def cell_values(style: Style, line: Line, typed: bool) -> list:
    """One line's cells, typed (int, float, date) or as the text a program writes."""
    decimals = 0 if line.currency in ZERO_DECIMALS else 2
    style.columns_currency = line.currency
    cells = []
    for column in style.columns:
        if column == "spacer":
            cells.append("")
            continue
        if column == "notes":
            cells.append(NOTES[style.language][1 + line.quantity % 3])
            continue
        value = getattr(line, column)
        if column == "invoice_date":
            cells.append(value if typed else date_text(value, style.date_style))
        elif column == "quantity":
            if typed:
                cells.append(value)
            elif style.quantity_decimals:
                grouping = "grouped" if style.number_style in ("symbol", "code") else None
                plain = dataclasses.replace(style, number_style=grouping or style.number_style)
                cells.append(number_text(Decimal(value), plain, style.quantity_decimals))
            elif style.big_quantities and style.number_style != "plain":
                # Grouped like the amounts, never with a currency sign.
                grouping = style.number_style
                if grouping in ("symbol", "code"):
                    grouping = "grouped"
                plain = dataclasses.replace(style, number_style=grouping)
                cells.append(number_text(Decimal(value), plain, 0))
            else:
                cells.append(str(value))
        elif column in ("unit_price", "amount"):
            cells.append(float(value) if typed else number_text(value, style, decimals))
        elif (
            column == "invoice_number"
            and typed
            and style.numeric_invoice_numbers
            and (not style.leading_zeros)
        ):
            cells.append(int(value))
        else:
            cells.append(value)
    return cells


def total_row(style: Style, lines: list[Line], typed: bool) -> list:
    cells: list = [""] * len(style.columns)
    # The label goes in the first column that is not a figure, as Excel's total row does.
    label_at = next(
        index
        for index, column in enumerate(style.columns)
        if column not in ("quantity", "unit_price", "amount")
    )
    cells[label_at] = TOTAL_WORDS[style.language]
    if "amount" in style.columns and len({line.currency for line in lines}) == 1:
        total = sum((line.amount for line in lines), Decimal(0))
        decimals = 0 if lines[0].currency in ZERO_DECIMALS else 2
        style.columns_currency = lines[0].currency
        cells[style.columns.index("amount")] = (
            float(total) if typed else number_text(total, style, decimals)
        )
    return cells


def grouped_at(style: Style) -> int | None:
    """Where the grouped header's label goes: over the invoice number and date, when
    they stand side by side in a workbook that groups its header."""
    if not style.grouped_header:
        return None
    columns = style.columns
    at = columns.index("invoice_number")
    return at if columns[at + 1 : at + 2] == ["invoice_date"] else None


def table(style: Style, lines: list[Line], rng: random.Random, typed: bool) -> list[list]:
    """All rows of the report: title block, header, lines (maybe blank rows), totals."""
    rows: list[list] = []
    for title in TITLES[style.language][: style.title_rows]:
        rows.append([title])
    if style.title_rows:
        rows.append([])
    header = header_row(style, lines[0].currency)
    heading = [header]
    at = grouped_at(style)
    if at is not None:
        label, number, day = GROUP_LABELS[style.language]
        upper = [label if index == at else "" for index in range(len(header))]
        if style.names_merged_down:  # the other names sit in the label row, merged down
            upper = [label if index == at else "" if index == at + 1 else name
                     for index, name in enumerate(header)]  # fmt: skip
            header = ["" for _ in header]
        header[at : at + 2] = [number, day]
        heading = [upper, header]
    rows += heading
    for index, line in enumerate(lines):
        rows.append(cell_values(style, line, typed))
        last_of_invoice = index + 1 == len(lines) or (
            lines[index + 1].invoice_number != line.invoice_number
        )
        if style.subtotals and last_of_invoice:
            group = [other for other in lines if other.invoice_number == line.invoice_number]
            subtotal = total_row(style, group, typed)
            label = next(cell for cell in subtotal if isinstance(cell, str) and cell)
            subtotal[subtotal.index(label)] = SUBTOTAL_WORDS[style.language]
            rows.append(subtotal)
        if style.blank_rows and index and index % 9 == 0:
            rows.append([])
        if style.repeated_header and index and index % 15 == 0 and index < len(lines) - 1:
            rows += heading  # the same header rows, as printed on each page
    if style.footer:
        rows.append([])
        rows.append(total_row(style, lines, typed))
    if style.padded_cells:
        rows = [[f" {cell} " if isinstance(cell, str) and cell else cell for cell in row]
                for row in rows]  # fmt: skip
    if style.margin_column:
        rows = [[""] + row if row else row for row in rows]
    return rows


# --- writers -------------------------------------------------------------------------------


def write_text(style: Style, lines: list[Line], rng: random.Random) -> bytes:
    buffer = io.StringIO()
    end = "\n" if style.line_feed else "\r\n"
    if style.sep_line:
        buffer.write(f"sep={style.delimiter}{end}")
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator=end)
    for row in table(style, lines, rng, typed=False):
        if row and style.trailing_columns:
            row = row + [""] * style.trailing_columns
        writer.writerow(row)
    return buffer.getvalue().encode(style.encoding)


NUMBER_FORMATS = {"invoice_date": "DD/MM/YYYY", "unit_price": "#,##0.00", "amount": "#,##0.00"}


def write_xlsx(style: Style, lines: list[Line], rng: random.Random) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if style.cover_sheet:
        sheet.title = "Cover"
        for text in TITLES[style.language]:
            sheet.append([text])
        sheet.append(["Prepared", datetime.date(2026, 10, 2)])
        sheet = workbook.create_sheet("Data")
    else:
        sheet.title = "Data"
    rows = table(style, lines, rng, typed=style.typed_cells)
    for row in rows:
        sheet.append(row)
    margin = 1 if style.margin_column else 0
    heading_rows = style.title_rows + (1 if style.title_rows else 0)
    at = grouped_at(style)
    first_data_row = heading_rows + (2 if at is not None else 1) + 1
    if style.typed_cells:  # formats first: merged cells take none
        for column_index, column in enumerate(style.columns, start=1 + margin):
            if column in NUMBER_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=first_data_row, min_col=column_index,
                                               max_col=column_index):  # fmt: skip
                    cell.number_format = NUMBER_FORMATS[column]
    if style.title_rows:
        sheet.merge_cells(
            start_row=1, start_column=1 + margin, end_row=1, end_column=len(style.columns) + margin
        )
    if at is not None:
        label_row = heading_rows + 1
        column = at + 1 + margin
        sheet.merge_cells(
            start_row=label_row, start_column=column, end_row=label_row, end_column=column + 1
        )
        if style.names_merged_down:
            for index, name in enumerate(style.columns):
                if index not in (at, at + 1) and name != "spacer":
                    sheet.merge_cells(
                        start_row=label_row,
                        start_column=index + 1 + margin,
                        end_row=label_row + 1,
                        end_column=index + 1 + margin,
                    )
    sheet.freeze_panes = sheet.cell(row=first_data_row, column=1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xls(style: Style, lines: list[Line], rng: random.Random) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Data")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    money = xlwt.easyxf(num_format_str="#,##0.00")
    for row_index, row in enumerate(table(style, lines, rng, typed=style.typed_cells)):
        for column_index, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write(row_index, column_index, value, date_style)
            elif isinstance(value, float):
                sheet.write(row_index, column_index, value, money)
            elif value != "":
                sheet.write(row_index, column_index, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_ods(style: Style, lines: list[Line], rng: random.Random) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()

    def add_sheet(name: str, rows: list[list]) -> None:
        sheet = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row:
                if isinstance(value, datetime.date):
                    cell = TableCell(valuetype="date", datevalue=value.isoformat())
                    cell.addElement(P(text=value.strftime("%d/%m/%Y")))
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=str(value))
                    cell.addElement(P(text=str(value)))
                elif value == "" or value is None:
                    cell = TableCell()
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            sheet.addElement(table_row)
        document.spreadsheet.addElement(sheet)

    if style.cover_sheet:
        add_sheet("Cover", [[text] for text in TITLES[style.language]])
    add_sheet("Data", table(style, lines, rng, typed=style.typed_cells))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


# --- checking -------------------------------------------------------------------------------


@dataclass
class Outcome:
    seed: int
    style: str
    rows: int
    certain: bool
    exact: bool
    asked_fairly: bool  # stopped for a person, and a person could not tell either
    reasons: list[str] = field(default_factory=list)
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.exact and (self.certain or self.asked_fairly)


def truth(report: Report) -> list[tuple]:
    rows = []
    for line in report.lines:
        decimals = 0 if line.currency in ZERO_DECIMALS else 2
        rows.append(
            (
                line.invoice_number,
                line.invoice_date.isoformat(),
                line.vendor_sku,
                str(line.quantity),
                f"{line.amount:.{decimals}f}",
                line.currency,
                " ".join(line.end_customer.split()).casefold(),
            )
        )
    return rows


def check(report: Report, directory: Path) -> Outcome:
    """Ingest the report as the product does and compare with the canonical lines."""
    from reporting.ingest import UploadRefused, check_upload, normalise, propose_mapping

    path = directory / report.filename
    path.write_bytes(report.data)
    outcome = Outcome(report.seed, report.style.describe(), len(report.lines), False, False, False)
    try:
        try:
            info = check_upload(
                path, report.filename, 50 << 20, default_currency=report.default_currency
            ).info
        except UploadRefused as error:
            outcome.problem = f"refused: {error}"
            return outcome
        proposal = propose_mapping(info, known_vendor_skus=set(CATALOGUE))
        outcome.certain = proposal.certain
        outcome.reasons = proposal.reasons
        order = info.date_order if info.date_order in ("dmy", "mdy") else None
        if not proposal.certain:
            expected_fields = [
                "ignore" if column in ("spacer", "notes") else column
                for column in report.style.columns
            ]
            proposed = proposal.fields
            if report.style.margin_column and proposed[:1] == ["ignore"]:
                proposed = proposed[1:]  # the empty margin column, when it is read
            fields_right = proposed[: len(expected_fields)] == expected_fields
            only_dates = all("day/month" in reason for reason in proposal.reasons)
            outcome.asked_fairly = report.person_must_choose and only_dates and fields_right
            order = report.date_order  # what the person answers
            if not fields_right:
                outcome.problem = f"columns proposed {proposal.fields}, true {expected_fields}"
                return outcome
        chunks = list(
            normalise(
                path,
                info,
                proposal,
                partner_slug="roundtrip",
                default_currency=report.default_currency,
                vendor_skus=set(CATALOGUE),
                date_order=order,
            )
        )
    finally:
        path.unlink()
    got = []
    errors = []
    for chunk in chunks:
        errors += chunk.errors.to_dicts()
        for row in chunk.lines.iter_rows(named=True):
            got.append(
                (
                    row["invoice_number"],
                    row["invoice_date"].isoformat(),
                    row["vendor_sku"],
                    str(row["quantity"]),
                    row["amount"],
                    row["currency"],
                    " ".join(row["end_customer"].split()).casefold(),
                )
            )
    expected = truth(report)
    outcome.exact = got == expected and not errors
    if not outcome.exact:
        first = next(
            (pair for pair in zip(got, expected, strict=False) if pair[0] != pair[1]), None
        )
        outcome.problem = (
            f"{len(got)} lines for {len(expected)}, {len(errors)} errors "
            f"{errors[:1]}; first difference {first}"
        )
    return outcome


def summarise(outcomes: list[Outcome]) -> dict:
    asked = [outcome for outcome in outcomes if not outcome.certain]
    why = Counter(reason.split(";")[0][:80] for outcome in asked for reason in outcome.reasons)
    return {
        "reports": len(outcomes),
        "rows": sum(outcome.rows for outcome in outcomes),
        "certain": sum(outcome.certain for outcome in outcomes),
        "asked": len(asked),
        "asked_fairly": sum(outcome.asked_fairly for outcome in outcomes),
        "exact": sum(outcome.exact for outcome in outcomes),
        "failed": [outcome for outcome in outcomes if not outcome.ok],
        "why_asked": why.most_common(),
    }
