"""Partner report ingestion core: pure Python + polars, no Django, no database.

Turns a partner's sales report, in whatever shape it arrives, into canonical sales lines
(docs/report-pipeline.md) and row-level errors. The Django side (upload views, the Celery task, the
`import_report` command) calls these functions in this order:

    check_arrival(path, filename, max_bytes)               # web request: first bytes only
    info = check_upload_isolated(path, filename, max_bytes, # worker: confined child,
                   encoding_override=partner.saved_encoding, # which runs inspect()
                   saved_date_order=partner.saved_date_order,
                   default_currency=partner.currency).info
    saved = partner_mappings.get(header_signature(info.headers))
    proposal = propose_mapping(info, known_vendor_skus=catalogue,
                               known_partner_skus=set(aliases))
    if saved is None and not proposal.certain:             # -> status "needs_mapping"
        ask a person, showing proposal.columns (field, confidence, reason, alternatives)
        and info.sample_rows; they may also set the date order and the encoding
    for chunk in normalise(path, info, saved or proposal,  # -> COPY each chunk
                           partner_slug=partner.slug, default_currency=partner.currency,
                           vendor_skus=catalogue, sku_aliases=aliases,
                           date_order=chosen_order, chunk_rows=100_000):
        cursor.copy(..., chunk.copy_csv()); store chunk.errors; report chunk.progress

Entry points
- `guard.check_arrival(path, filename, max_bytes) -> (extension, size)`: what the web
  request may check (extension, size, magic bytes); nothing is parsed.
- `isolated.check_upload_isolated(...)`: `check_upload` in a child interpreter under
  an address-space and a wall-time limit (parsing never runs in a web process).
- `check_upload(path, filename, max_bytes) -> UploadCheck`: size, extension, magic
  bytes, zip entry count/size/ratio and XML DTDs before any parser opens the file, then
  `inspect()` (header-only files, 10,000-column files, NUL bytes, wrong encodings).
  Raises `UploadRefused` (`.code`, `.params`, `str()` = English message).
- `inspect(path, filename, *, encoding_override=None, saved_date_order=None) -> FileInfo`:
  format, encoding, delimiter, sheet, header row, headers, sample rows, column profiles
  (kind, number style, date style), footer rows, date order ("dmy"/"mdy"/"ambiguous").
- `propose_mapping(info, *, known_vendor_skus=None, known_partner_skus=None)
  -> MappingProposal`: a field (or "ignore") per column with confidence and reason,
  `certain`, `reasons`, `signature`.
- `header_signature(headers) -> str`: stable hash to find a partner's saved mapping.
- `normalise(path, info, mapping, *, partner_slug, default_currency=None,
  vendor_skus=None, sku_aliases=None, date_order=None, chunk_rows=100_000)
  -> Iterator[Chunk]`: `mapping` is a `MappingProposal`, a list of fields per column or
  a {column index: field} dict. Each `Chunk` has `lines` (polars DataFrame,
  `LINE_COLUMNS + STORED_COLUMNS`), `errors` (`ERROR_COLUMNS`: source_row, column,
  value, code, message), counts and `progress`; `copy_csv()` gives COPY-ready bytes.
- `source_rows(path, info, rows) -> {row: text}`: rows of the file as the partner wrote
  them, read back when someone traces a line (lines keep only their source row number).

`FileInfo` and `MappingProposal` are dataclasses with `to_dict()`/`from_dict()` for JSON.
Row numbers are those a person sees: the spreadsheet row, or the record number in a
text file (the header's row counted, title rows too).
"""

from .detect import inspect
from .errors import REFUSALS, ROW_ERRORS, UploadRefused
from .guard import UploadCheck, check_upload
from .mapping import header_signature, propose_mapping
from .model import (
    ERROR_COLUMNS,
    LINE_COLUMNS,
    STORED_COLUMNS,
    Chunk,
    ColumnChoice,
    FileInfo,
    MappingProposal,
)
from .normaliser import MappingError, normalise, source_rows, validate_mapping
from .vocabulary import CANONICAL_FIELDS, IGNORE

__all__ = [
    "CANONICAL_FIELDS",
    "ERROR_COLUMNS",
    "IGNORE",
    "LINE_COLUMNS",
    "REFUSALS",
    "ROW_ERRORS",
    "STORED_COLUMNS",
    "Chunk",
    "ColumnChoice",
    "FileInfo",
    "MappingError",
    "MappingProposal",
    "UploadCheck",
    "UploadRefused",
    "check_upload",
    "header_signature",
    "inspect",
    "normalise",
    "propose_mapping",
    "source_rows",
    "validate_mapping",
]
