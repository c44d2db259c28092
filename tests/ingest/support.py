"""Helpers for the ingestion core tests: where the sample reports are, and small files."""

import csv
import io
from pathlib import Path

import openpyxl
import polars as pl

from reporting.ingest import inspect, normalise, propose_mapping
from reporting.ingest.model import LINE_COLUMNS

#: The sample partner reports, the catalogue, the SKU aliases and the canonical lines each
#: report must give (`expected/<file>.csv`); the repository carries them so that a clone
#: anywhere runs its tests.
SAMPLES = Path(__file__).resolve().parent.parent / "data" / "partner-reports"


def catalogue() -> set[str]:
    with (SAMPLES / "products.csv").open(encoding="utf-8", newline="") as handle:
        return {row["vendor_sku"] for row in csv.DictReader(handle)}


def aliases_for(partner: str) -> dict[str, str]:
    with (SAMPLES / "sku_aliases.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["partner_sku"]: row["vendor_sku"]
            for row in csv.DictReader(handle)
            if row["partner"] == partner
        }


def write_text(directory: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = directory / name
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(directory: Path, name: str, rows: list[list], merge: str | None = None) -> Path:
    """A real workbook: Python dates become date cells, numbers number cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sales"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    path = directory / name
    workbook.save(path)
    return path


def ingest(
    path: Path,
    *,
    partner: str = "acme-partner",
    vendor_skus: set[str] | None = None,
    aliases: dict[str, str] | None = None,
    default_currency: str | None = None,
    date_order: str | None = None,
    saved_date_order: str | None = None,
    encoding_override: str | None = None,
    chunk_rows: int = 100_000,
):
    """Inspect, auto-map and normalise a file; (info, proposal, lines, errors, chunks)."""
    info = inspect(
        path,
        path.name,
        encoding_override=encoding_override,
        saved_date_order=saved_date_order,
        default_currency=default_currency,
    )
    proposal = propose_mapping(
        info, known_vendor_skus=vendor_skus, known_partner_skus=set(aliases or {})
    )
    chunks = list(
        normalise(
            path,
            info,
            proposal,
            partner_slug=partner,
            default_currency=default_currency,
            vendor_skus=vendor_skus,
            sku_aliases=aliases,
            date_order=date_order,
            chunk_rows=chunk_rows,
        )
    )
    lines = pl.concat([chunk.lines for chunk in chunks]) if chunks else None
    errors = pl.concat([chunk.errors for chunk in chunks]) if chunks else None
    return info, proposal, lines, errors, chunks


def as_export_rows(lines: pl.DataFrame) -> list[list[str]]:
    """Lines as `export_sales` writes them: CSV text of the canonical columns."""
    buffer = io.StringIO()
    buffer.write(lines.select(LINE_COLUMNS).write_csv())
    return list(csv.reader(io.StringIO(buffer.getvalue())))


def field_of(proposal, header: str) -> str:
    return next(choice.field for choice in proposal.columns if choice.header == header)
