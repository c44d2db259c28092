"""Writing rows with PostgreSQL COPY in text format: encoding values, a row template per
model, ids reserved from a sequence up front, secondary indexes dropped for big loads."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from prm.seeding.scale.report import Report

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def text(value: str) -> str:
    """A text value for COPY's text format (escapes backslash, tab, newline)."""
    return value.translate(_ESCAPES)


def encode(value) -> str:
    """Any Python value as one field of COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return text(array_literal(value))
    if isinstance(value, dict):
        return text(json.dumps(value))
    if isinstance(value, str):
        return text(value)
    return str(value)


def array_literal(values: Iterable) -> str:
    """A PostgreSQL array literal with every element quoted."""
    items = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{item}"' for item in items) + "}"


def model_template(
    model, values: dict | None = None, *, with_pk: bool = False
) -> tuple[list[str], list[str], dict]:
    """Every concrete column of ``model`` with its value encoded for COPY.

    Values come from ``values`` (by field name or column), else the field's default, now
    for auto_now(_add), NULL for nullable fields, "" otherwise. Returns the columns, the
    encoded row and each column's index. The pk is left to the sequence unless
    ``with_pk`` (the caller reserved ids and writes them), columns with a database default
    to the database.
    """
    values = values or {}
    now = datetime.now(UTC)
    columns, row = [], []
    for model_field in model._meta.concrete_fields:
        if (model_field.primary_key and not with_pk) or model_field.has_db_default():
            # A database default (a deal history entry's transaction) is the database's to fill.
            continue
        columns.append(model_field.column)
        if model_field.primary_key:
            value = None
        elif model_field.name in values or model_field.attname in values:
            value = values.get(model_field.name, values.get(model_field.attname))
        elif getattr(model_field, "auto_now_add", False) or getattr(model_field, "auto_now", False):
            value = now
        elif model_field.has_default():
            value = model_field.get_default()
        elif model_field.null:
            value = None
        else:
            value = ""
        row.append(encode(value))
    return columns, row, {column: i for i, column in enumerate(columns)}


def copy_text(cursor, table: str, columns: list[str], rows: Iterable[list[str] | str]) -> int:
    """COPY rows of already encoded fields (or rows already joined by tabs) into ``table``.

    Returns the number of rows written.

    Rows go out in batches of 5,000: one write per row costs more than the COPY itself.
    """
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append(row if isinstance(row, str) else "\t".join(row))
            count += 1
            if len(chunk) == 5000:
                copy.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count


@contextmanager
def indexes_dropped(
    cursor, tables: Iterable[str], *, report: Report | None = None, phase: str = ""
) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` and create them again afterwards.

    One CREATE INDEX over all rows is several times faster than maintaining the index
    row by row during COPY (above all the GIN index on deals' name keys, which has
    fastupdate off). Indexes that back a constraint (primary keys, unique constraints)
    stay. Use inside the transaction that loads the rows: nobody sees the tables without
    their indexes. With ``report``, the checks and the new indexes are timed as ``phase``.
    """
    tables = list(tables)
    if not tables:
        yield
        return
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                            WHERE c.conname = i.indexname
                              AND c.connamespace = current_schema()::regnamespace)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    with report.phase(phase) if report else contextlib.nullcontext() as written:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: their checks of the
        # rows just written wait for the commit, and CREATE INDEX refuses a table with
        # pending checks. Run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        if written is not None:
            written.append(0)


def reserve_ids(cursor, table: str, count: int) -> int:
    """Take ``count`` consecutive ids from ``table``'s id sequence; returns the first.

    Safe because a seeded schema has no other writer while it is being seeded.
    """
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first
