"""Spreadsheet-safe CSV and XLSX files: the helper lives in prm.core.exports (deals exports
its lists too); this name stays for the analytics code that imports it."""

from prm.core.exports import (  # noqa: F401
    FORMULA_PREFIXES,
    XLSX_TYPE,
    Table,
    response,
    safe_text,
    to_csv,
    to_xlsx,
)
