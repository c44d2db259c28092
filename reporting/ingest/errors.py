"""Messages the ingestion core shows people, and the exception that refuses an upload.

Every message is an English template with named parameters, keyed by a stable code.
The templates are wrapped in `gettext_noop` so Django's `makemessages` extracts them;
the web layer shows `gettext(REFUSALS[code]).format(**params)` in the user's language,
and the core itself never imports Django.
"""


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it here (Django's convention)."""
    return message


# Why a whole file is refused, before any line is stored.
REFUSALS: dict[str, str] = {
    "empty": gettext_noop("The file is empty. Export the report again and upload that file."),
    "too_large": gettext_noop(
        "The file is {size_mb} MB; the limit is {limit_mb} MB. Split the report by month "
        "or region, or ask your channel manager to raise the limit."
    ),
    "extension": gettext_noop(
        "Files ending in .{extension} are not accepted. Upload a CSV, TSV or TXT text "
        "file, or an Excel (.xlsx, .xlsm, .xlsb, .xls) or OpenDocument (.ods) spreadsheet."
    ),
    "binary_as_text": gettext_noop(
        "This file is named .{extension} but is not a text file ({detected}). Export the "
        "report as CSV again, or upload the spreadsheet with its real extension."
    ),
    "not_a_workbook": gettext_noop(
        "This file is named .{extension} but is not a spreadsheet ({detected}). Open it in "
        "Excel and save it as .xlsx, or export the report as CSV."
    ),
    "encrypted_workbook": gettext_noop(
        "This workbook is password-protected or in a format we cannot open. Remove the "
        "password (or save it as .xlsx) and upload it again."
    ),
    "zip_too_many_entries": gettext_noop(
        "This spreadsheet contains {entries} internal parts; a report has far fewer (limit "
        "{limit}). Save it again from Excel as a plain .xlsx workbook."
    ),
    "zip_too_large_uncompressed": gettext_noop(
        "This spreadsheet unpacks to {size_mb} MB (limit {limit_mb} MB). Split the report "
        "into smaller files or export it as CSV."
    ),
    "zip_ratio": gettext_noop(
        "This spreadsheet is compressed {ratio}:1, far beyond any real report (limit "
        "{limit}:1), so it was not opened. Save it again from Excel or export it as CSV."
    ),
    "zip_unsafe_names": gettext_noop(
        'This spreadsheet contains a part named "{name}", which no Excel file has, so it was '
        "not opened. Save it again from Excel as .xlsx."
    ),
    "sheet_too_large": gettext_noop(
        "A sheet of this workbook spans {rows} rows by {columns} columns ({cells} million "
        "cells, limit {limit} million), mostly empty space around the report. Delete the "
        "rows and columns outside the report, or export it as CSV."
    ),
    "zip_corrupt": gettext_noop(
        "This spreadsheet is damaged and cannot be opened. Save it again from Excel and "
        "upload the new file."
    ),
    "xml_entities": gettext_noop(
        "This spreadsheet contains XML declarations (DOCTYPE/ENTITY) that real Excel files "
        "never have, so it was not opened. Save it again from Excel as .xlsx."
    ),
    "nul_bytes": gettext_noop(
        "This text file contains NUL bytes, so it is either not a text report or was "
        "damaged. Export the report as CSV (UTF-8) again."
    ),
    "unknown_encoding": gettext_noop(
        'The text encoding "{encoding}" is not known. Choose another encoding, or save '
        "the report as CSV UTF-8."
    ),
    "wrong_encoding": gettext_noop(
        "The file cannot be read as {encoding} (first problem on line {line}). Choose the "
        "encoding the report was saved in, or save it as CSV UTF-8."
    ),
    "undecodable": gettext_noop(
        "The file's text encoding could not be recognised. Save the report as CSV UTF-8 "
        "and upload it again."
    ),
    "no_table": gettext_noop(
        "No table of sales was found: we looked for a header row followed by rows of "
        "values, separated by commas, semicolons, tabs or | characters. Check that the "
        "report has one header row with column names."
    ),
    "header_only": gettext_noop(
        "The report has a header row ({headers}) but no sales rows under it. Export the "
        "report again with the period's sales."
    ),
    "too_many_columns": gettext_noop(
        "The report has {columns} columns; at most {limit} are supported. Check that the "
        "file is a sales report with one line per sale."
    ),
    "field_too_long": gettext_noop(
        "A value on line {line} is longer than {limit_kb} KB, which no report column needs. "
        'Check for an unclosed quote (") in that line.'
    ),
    "ragged": gettext_noop(
        "Most rows have a different number of values than the header ({columns} columns). "
        "Check the separator, or quote values that contain it."
    ),
    "too_much_memory": gettext_noop(
        "Reading this file needed more memory than any sales report does, so it was "
        "stopped. Delete the empty rows and columns around the report, or export it as CSV, "
        "and upload it again."
    ),
    "too_slow": gettext_noop(
        "Reading this file took longer than {seconds} seconds, far more than a sales report "
        "needs, so it was stopped. Export the report as CSV and upload it again."
    ),
    "empty_sheet": gettext_noop(
        "The workbook has no sheet with data. Upload the workbook that holds the report."
    ),
}

# Why one row did not become a sales line; shown in the error report next to the row
# number, column and value, so the partner can correct the file.
ROW_ERRORS: dict[str, str] = {
    "ragged_row": gettext_noop(
        "This row has more values than the header has columns. A value probably contains "
        "the separator ({delimiter}); put that value in quotes."
    ),
    "missing_invoice_number": gettext_noop("The invoice number is empty. Fill it in."),
    "missing_date": gettext_noop("The invoice date is empty. Fill it in as {date_format}."),
    "bad_date": gettext_noop(
        "This is not a date we can read. Write it like the other rows: {date_format}."
    ),
    "date_out_of_range": gettext_noop("The date is outside {min_year}-{max_year}. Check the year."),
    "missing_sku": gettext_noop("The product code is empty. Fill in the vendor SKU."),
    "unknown_sku": gettext_noop(
        "This product code is neither a vendor SKU in the catalogue nor one of your part "
        "numbers with a known alias. Correct it, or ask your channel manager to add an alias."
    ),
    "missing_quantity": gettext_noop("The quantity is empty. Fill it in."),
    "bad_quantity": gettext_noop(
        "The quantity is not a number. Write a whole number, negative for returns."
    ),
    "fractional_quantity": gettext_noop(
        "The quantity must be a whole number of units (negative for returns)."
    ),
    "bad_number": gettext_noop(
        "This is not an amount we can read. Write it like the other rows, e.g. {example}."
    ),
    "missing_price": gettext_noop(
        "Neither a unit price nor an amount is given. Fill in at least one of them."
    ),
    "amount_mismatch": gettext_noop(
        "Quantity x unit price is {expected}, but the amount says {amount}. Correct the "
        "quantity, the unit price or the amount."
    ),
    "unknown_currency": gettext_noop(
        "This is not a currency code we know. Use a three-letter ISO code such as EUR or USD."
    ),
    "missing_currency": gettext_noop(
        "No currency is given for this row and the partner has no default currency. Add a "
        "currency column (e.g. EUR) or ask your channel manager to set a default."
    ),
    "currency_conflict": gettext_noop(
        "The amount is written in {symbol_currency} but the currency column says "
        "{column_currency}. Make them agree."
    ),
    "number_too_large": gettext_noop("This number is too large to be a sales amount."),
}


class UploadRefused(Exception):
    """The file cannot be ingested at all; `str(error)` tells the user what to do.

    `code` and `params` let the web layer translate the message (see `REFUSALS`).
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(REFUSALS[code].format(**params))

    @property
    def message(self) -> str:
        return str(self)
