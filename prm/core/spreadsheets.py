"""Text that is safe to put in a spreadsheet cell (CSV or XLSX downloads of any app).

A text cell starting with ``= + - @``, tab or carriage return would be read as a formula
(or shift into one) by Excel, LibreOffice and Google Sheets; such text gets a leading
apostrophe.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value`` as inert spreadsheet text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
