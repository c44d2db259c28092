"""Duplicate lines: held out of the figures the moment an import stores them.

A line is a duplicate when the same partner already reported a line with the same
invoice number (case and surrounding blanks folded), vendor SKU, quantity, amount and
invoice date: in another upload (the same month sent again as Excel after a CSV), or
earlier in the same file. Such lines move from the sales lines to :class:`HeldLine`
inside the import's transaction, so no summary, export or reconciliation ever counts
them; the partner sees them on the upload's page and may confirm a true repeat, which
moves the line back (and is remembered when the upload is processed again).

One step after the store, in set-based SQL: the ingestion pipeline calls
:func:`hold_duplicates` and needs to know nothing else about it. When a report is
withdrawn, the lines other uploads held as its repeats count again (:func:`count_again`).
"""

from __future__ import annotations

from django.db import connection, transaction

from reporting.models import SalesLine, Upload, hold_line_ids, lines_of_upload
from reporting.quality.models import HeldLine, RepeatConfirmation, UploadSpan

#: Columns a held line shares with the sales line it was (copied both ways).
LINE_COLUMNS = (
    "upload_id", "partner_id", "invoice_number", "invoice_date", "reseller", "end_customer",
    "end_customer_country", "vendor_sku", "partner_sku", "quantity", "unit_price", "amount",
    "currency", "amount_reporting", "source_row", "transaction_type",
)  # fmt: skip

#: What makes two lines of a partner the same reported sale.
KEY_COLUMNS = ("invoice_key", "vendor_sku", "quantity", "amount", "invoice_date")


def _key(alias: str) -> str:
    return (
        f"upper(btrim({alias}.invoice_number)) AS invoice_key, {alias}.vendor_sku, "
        f"{alias}.quantity, {alias}.amount, {alias}.invoice_date"
    )


def hold_duplicates(upload, watch: LineWatch | None = None) -> int:
    """Move this upload's already-reported lines to the held lines; return how many.

    Called inside the import's transaction right after its lines are stored (the upload
    is locked by the caller), with the :class:`LineWatch` that saw them stream by.
    Earlier held lines of the upload are replaced: processing an upload again decides
    again, except for rows the partner confirmed as repeats.
    """
    lines = SalesLine._meta.db_table
    held = HeldLine._meta.db_table
    confirmed = RepeatConfirmation._meta.db_table
    columns = ", ".join(LINE_COLUMNS)
    keys = ", ".join(KEY_COLUMNS)
    same = " AND ".join(f"e.{c} = m.{c}" for c in KEY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {held} WHERE upload_id = %s", [upload.pk])
        if not _may_hold(cursor, upload, watch):
            held_count = 0
            _after(upload)
            return held_count
        # `earlier` reads the partner's other lines in this upload's date range only, one
        # row per key: a hash join, not an index probe per line.
        cursor.execute(
            f"""
            WITH mine AS (
                SELECT l.id, l.source_row, {_key("l")}
                  FROM {lines} l
                 WHERE {lines_of_upload("l", "%(upload)s")}
                   AND NOT EXISTS (
                       SELECT 1 FROM {confirmed} c
                        WHERE c.upload_id = l.upload_id AND c.source_row = l.source_row)
            ),
            ranked AS (
                SELECT mine.*, row_number() OVER (
                           PARTITION BY {keys} ORDER BY source_row, id) AS nth
                  FROM mine
            ),
            span AS (
                SELECT min(invoice_date) AS lo, max(invoice_date) AS hi
                  FROM {lines} l WHERE {lines_of_upload("l", "%(upload)s")}
            ),
            earlier AS (
                SELECT DISTINCT ON ({keys}) {keys}, upload_id FROM (
                    SELECT {_key("o")}, o.upload_id
                      FROM {lines} o, span
                     WHERE o.partner_id = %(partner)s AND o.upload_id <> %(upload)s
                       AND o.invoice_date BETWEEN span.lo AND span.hi
                ) found ORDER BY {keys}, upload_id
            ),
            doubled AS (
                SELECT m.id, COALESCE(e.upload_id, %(upload)s) AS duplicate_of
                  FROM ranked m LEFT JOIN earlier e ON {same}
                 WHERE e.upload_id IS NOT NULL OR m.nth > 1
            ),
            moved AS (
                DELETE FROM {lines} s USING doubled d WHERE s.id = d.id
                RETURNING {", ".join(f"s.{c}" for c in LINE_COLUMNS)}, d.duplicate_of
            )
            INSERT INTO {held} ({columns}, duplicate_of_id, reason)
            SELECT {columns}, duplicate_of, 'same_partner' FROM moved
            """,
            {"upload": upload.pk, "partner": upload.partner_id},
        )
        held_count = cursor.rowcount
    _after(upload)
    return held_count


def _after(upload) -> None:
    from reporting.quality.tasks import after_import

    after_import.delay_on_commit(upload.pk, upload.partner_id)


class LineWatch:
    """Watches the lines of an import as they stream to the database, so the common case
    (no line twice in the file) costs nothing after the store: a 64-bit hash of each
    line's key per chunk (polars, in the normalising thread) and the date range.

    Equal keys always hash equal (amounts compared as numbers, so "19200.00" and "19200"
    are one amount); a collision only means the exact SQL comparison runs.
    """

    def __init__(self) -> None:
        self._hashes: list = []
        self._repeats: bool | None = None
        self.lo = self.hi = None

    def add(self, lines) -> None:
        import polars as pl

        if not lines.height:
            return
        key = pl.struct(
            pl.col("invoice_number").str.strip_chars().str.to_uppercase(),
            pl.col("vendor_sku"),
            pl.col("quantity"),
            pl.col("amount").cast(pl.Float64, strict=False),
            pl.col("invoice_date"),
        )
        found = lines.select(key.hash(seed=15).alias("h"), pl.col("invoice_date"))
        self._hashes.append(found.get_column("h"))
        lo, hi = found.get_column("invoice_date").min(), found.get_column("invoice_date").max()
        self.lo = lo if self.lo is None or (lo is not None and lo < self.lo) else self.lo
        self.hi = hi if self.hi is None or (hi is not None and hi > self.hi) else self.hi

    def close(self) -> None:
        """Decide `repeats()` now, once every line was added: the importing thread that
        added them calls it while the last chunk is still being stored."""
        import polars as pl

        self._repeats = bool(self._hashes) and bool(pl.concat(self._hashes).is_duplicated().any())
        self._hashes = []

    def repeats(self) -> bool:
        if self._repeats is None:
            self.close()
        return self._repeats


def _may_hold(cursor, upload, watch: LineWatch | None) -> bool:
    """Whether the upload can have a duplicate at all, answered cheaply: most imports are a
    partner's first report of a period with no line twice, and the full comparison (a
    sort of every line) costs seconds per million lines for nothing.

    Another upload of the partner covering some of the same dates: compared as date
    ranges (:class:`UploadSpan`, recorded here for every stored upload; uploads stored
    before spans existed are read once by their lines). A line twice in this upload: the
    watch's hashes. Without a watch, always the exact query.
    """
    if watch is None:
        return True
    if watch.lo is None:
        UploadSpan.objects.filter(upload_id=upload.pk).delete()
        return False
    UploadSpan.objects.update_or_create(
        upload_id=upload.pk, defaults={"first_date": watch.lo, "last_date": watch.hi}
    )
    others = list(
        Upload.objects.filter(partner_id=upload.partner_id)
        .exclude(pk=upload.pk)
        .values_list("pk", flat=True)
    )
    spans = dict((span.upload_id, span) for span in UploadSpan.objects.filter(upload_id__in=others))
    if any(s.first_date <= watch.hi and s.last_date >= watch.lo for s in spans.values()):
        return True
    unknown = [pk for pk in others if pk not in spans]
    if unknown:
        cursor.execute(
            f"""SELECT EXISTS (
                    SELECT 1 FROM {SalesLine._meta.db_table} l
                      JOIN {Upload._meta.db_table} u
                        ON l.id BETWEEN u.first_line_id AND u.last_line_id
                       AND l.upload_id = u.id
                     WHERE u.id = ANY(%(unknown)s)
                       AND l.invoice_date BETWEEN %(lo)s AND %(hi)s)""",
            {"unknown": unknown, "lo": watch.lo, "hi": watch.hi},
        )
        if cursor.fetchone()[0]:
            return True
    return watch.repeats()


@transaction.atomic
def release(*, upload, source_rows: list[int], user) -> int:
    """Count held rows of an upload after all (true repeats); return how many moved.

    The caller checked that `user` may act on the upload. The confirmation is kept, so
    processing the upload again does not hold these rows again.
    """
    rows = sorted(set(source_rows))
    with connection.cursor() as cursor:
        # First, before the held rows: an import of this upload holds the ids, then
        # replaces its held rows.
        hold_line_ids(cursor)
    found = list(
        HeldLine.objects.select_for_update()
        .filter(upload=upload, source_row__in=rows)
        .values_list("source_row", flat=True)
    )
    if not found:
        return 0
    lines = SalesLine._meta.db_table
    held = HeldLine._meta.db_table
    columns = ", ".join(LINE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH back AS (
                DELETE FROM {held} WHERE upload_id = %s AND source_row = ANY(%s)
                RETURNING {columns}
            ), added AS (
                INSERT INTO {lines} ({columns}) SELECT {columns} FROM back
                RETURNING id, invoice_date
            ), widened AS (
                -- New ids, after the import's: the upload's range takes them in.
                UPDATE {Upload._meta.db_table}
                   SET first_line_id = least(first_line_id, (SELECT min(id) FROM added)),
                       last_line_id = greatest(last_line_id, (SELECT max(id) FROM added))
                 WHERE id = %s
            )
            SELECT count(*), array_agg(DISTINCT date_trunc('month', invoice_date)::date)
              FROM added
            """,
            [upload.pk, found, upload.pk],
        )
        moved, months = cursor.fetchone()
    RepeatConfirmation.objects.bulk_create(
        [RepeatConfirmation(upload=upload, source_row=row, confirmed_by=user) for row in found],
        ignore_conflicts=True,
    )
    type(upload).objects.filter(pk=upload.pk).update(line_count=upload.line_count + moved)
    if moved:
        from prm.core.extensions import registry

        for hook in registry.sales_changed_hooks():
            hook([upload.partner_id], sorted(months))
    return moved


def repeats_of(upload) -> list[int]:
    """Ids of the held lines of the partner's other uploads held as repeats of this
    upload's lines: read before the upload is withdrawn (its deletion empties their
    `duplicate_of`), for :func:`count_again` after it."""
    return list(
        HeldLine.objects.filter(duplicate_of=upload)
        .exclude(upload=upload)
        .values_list("pk", flat=True)
    )


def count_again(*, partner_id: int, held_ids: list[int]) -> list:
    """After an upload was withdrawn: its repeats in other uploads (`repeats_of`) that no
    sales line of the partner reports any more move back to the sales lines, one per
    sale (the first by upload and row; a sale the file itself repeats stays held). The
    others now point at the line they repeat. Returns the months (first days) of the
    lines moved back, for the sales-changed hooks. Call it in the withdrawal's transaction.
    """
    if not held_ids:
        return []
    lines = SalesLine._meta.db_table
    held = HeldLine._meta.db_table
    uploads = Upload._meta.db_table
    columns = ", ".join(LINE_COLUMNS)
    keys = ", ".join(KEY_COLUMNS)
    # The same sale among the partner's lines: the probe is a range of line_partner_date.
    reported = (
        f"SELECT {{pick}} FROM {lines} o WHERE o.partner_id = %(partner)s "
        "AND o.invoice_date = {row}.invoice_date AND o.vendor_sku = {row}.vendor_sku "
        "AND o.quantity = {row}.quantity AND o.amount = {row}.amount "
        "AND upper(btrim(o.invoice_number)) = upper(btrim({row}.invoice_number))"
    )
    params = {"ids": held_ids, "partner": partner_id}
    with connection.cursor() as cursor:
        # New ids, above every line committed before (`hold_line_ids`).
        hold_line_ids(cursor)
        cursor.execute(
            f"""
            WITH mine AS (
                SELECT h.id, h.upload_id, h.source_row, h.invoice_number, {_key("h")}
                  FROM {held} h WHERE h.id = ANY(%(ids)s)
            ),
            ranked AS (
                SELECT mine.*, row_number() OVER (
                           PARTITION BY {keys} ORDER BY upload_id, source_row, id) AS nth
                  FROM mine
            ),
            free AS (
                SELECT r.id FROM ranked r
                 WHERE r.nth = 1 AND NOT EXISTS ({reported.format(pick="1", row="r")})
            ),
            back AS (
                DELETE FROM {held} h USING free f WHERE h.id = f.id RETURNING {columns}
            ),
            added AS (
                INSERT INTO {lines} ({columns}) SELECT {columns} FROM back
                RETURNING id, upload_id, invoice_date
            )
            SELECT upload_id, min(id), max(id), count(*),
                   array_agg(DISTINCT date_trunc('month', invoice_date)::date)
              FROM added GROUP BY upload_id
            """,
            params,
        )
        moved = cursor.fetchall()
        months = set()
        for upload_id, low, high, count, upload_months in moved:
            # The uploads' id ranges take the new ids in (readers find lines by them).
            cursor.execute(
                f"UPDATE {uploads} SET first_line_id = least(coalesce(first_line_id, %s), %s),"
                " last_line_id = greatest(coalesce(last_line_id, %s), %s),"
                " line_count = line_count + %s WHERE id = %s",
                [low, low, high, high, count, upload_id],
            )
            months.update(upload_months)
        repeated = reported.format(pick="min(o.upload_id)", row="h")
        cursor.execute(
            f"UPDATE {held} h SET duplicate_of_id = ({repeated}) WHERE h.id = ANY(%(ids)s)",
            params,
        )
    return sorted(months)
