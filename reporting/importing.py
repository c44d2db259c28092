"""Importing a partner report: receive the file, then process it into sales lines.

The pipeline (docs/report-pipeline.md) is `receive` (checks, SHA-256, storage, queue)
then `upload_process` (the Celery task's body, and `import_report`'s): detect, map,
normalise with `reporting.ingest`, and store every line with PostgreSQL COPY in one
transaction that first deletes the upload's previous lines. A crash or a retry therefore
leaves either nothing or everything of an upload, and re-processing replaces its lines.

Progress is written from a second, autocommitting connection so the status page can
show it while the import's own transaction is still open.

Failures (`bench/failures.py imports`): one run of an upload at a time, however often
its task is delivered (`_upload_lock`); a run whose worker died is noticed by its old
heartbeat and re-queued by `stalled_imports_recover` (beat, every minute), and after
`REPORTING_IMPORT_MAX_ATTEMPTS` interrupted runs the upload fails with a message.

Who may upload, mappings and aliases are `reporting.services`' (which re-exports the
public names here).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import queue
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deals.models import Product
from partners.models import Partner
from prm import webhooks
from prm.core.extensions import registry
from prm.tenancy.selectors import current_vendor
from reporting.ingest import (
    REFUSALS,
    ROW_ERRORS,
    FileInfo,
    MappingError,
    UploadRefused,
    header_signature,
    normalise,
    propose_mapping,
    validate_mapping,
)
from reporting.ingest.detect import extension_of
from reporting.ingest.guard import check_arrival
from reporting.ingest.isolated import check_upload_isolated
from reporting.models import (
    ExchangeRate,
    ImportRun,
    SalesLine,
    Upload,
    UploadError,
    UploadStatus,
    hold_line_ids,
    lines_of_upload,
)

log = logging.getLogger(__name__)

LINE_COPY_COLUMNS = (
    "id", "upload_id", "partner_id", "invoice_number", "invoice_date", "reseller", "end_customer",
    "end_customer_country", "vendor_sku", "partner_sku", "quantity", "unit_price", "amount",
    "currency", "amount_reporting", "source_row", "transaction_type",
)  # fmt: skip
ERROR_COPY_COLUMNS = ("upload_id", "source_row", "column", "value", "code", "message")
PROGRESS_INTERVAL = 0.5  # seconds between progress writes
# ImportRun.message of a run whose worker died; the trailing ones are the attempts that
# count towards REPORTING_IMPORT_MAX_ATTEMPTS. The last one becomes GAVE_UP when the
# upload fails for it, so a person's "Process again" starts counting afresh.
INTERRUPTED = "interrupted"
GAVE_UP = "interrupted (gave up)"
# How long a run waits for another run of the same upload before leaving it to that one:
# the moments PostgreSQL takes to end a killed worker's session (the worker's own
# redelivery comes at once). Longer means the other run is alive; waiting would only hold
# a worker, and should that run die after all, the sweep re-queues the upload.
RUN_LOCK_WAIT = 5.0


class DuplicateUpload(ValidationError):
    """The same file was already uploaded for this partner (`earlier` is that upload)."""

    def __init__(self, earlier: Upload):
        self.earlier = earlier
        super().__init__(
            _("This file was already uploaded on %(date)s.")
            % {"date": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")},
            code="duplicate",
        )


def refusal_error(error: UploadRefused) -> ValidationError:
    """An ingestion refusal as a form error, in the user's language."""
    return ValidationError(_(REFUSALS[error.code]).format(**error.params), code=error.code)


# --- Receive -------------------------------------------------------------------------


def _saved_choices(partner: Partner) -> tuple[str, str]:
    """The encoding and date order the partner confirmed last (for layouts not yet seen)."""
    latest = partner.column_mappings.order_by("-confirmed_at").first()
    return (latest.encoding, latest.date_order) if latest else ("", "")


def max_upload_bytes() -> int:
    """The current vendor's upload limit (also under `schema_context`, e.g. commands)."""
    return current_vendor().max_upload_bytes


def receive(*, partner: Partner, uploaded_by, name: str, chunks, queue: bool = True) -> Upload:
    """Store the file and queue it (`upload_receive` and `import_report` come here).

    Only checks that read no more than the first bytes run here (extension, size, what
    the file really is); the container, the layout and the columns are read by the
    worker, in a confined child process (`_detect`): a crafted file must never take a
    web process down.

    The bytes are read once: hashed as they are written to a temporary file, which a
    local storage then moves into place (a rename, where copying took as long again).
    """
    name = Path(name).name[:255] or "report"
    extension = extension_of(name)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=f".{extension}", delete=False) as temporary:
        arrived = Path(temporary.name)
        for chunk in chunks:
            digest.update(chunk)
            temporary.write(chunk)
    try:
        try:
            _extension, size = check_arrival(arrived, name, max_upload_bytes())
        except UploadRefused as error:
            raise refusal_error(error) from error
        sha256 = digest.hexdigest()
        earlier = Upload.objects.filter(partner=partner, sha256=sha256).first()
        if earlier is not None:
            raise DuplicateUpload(earlier)
        with arrived.open("rb") as handle:
            stored = default_storage.save(
                f"reports/{partner.pk}/{uuid.uuid4().hex}.{extension}", _Arrived(handle)
            )
    finally:
        arrived.unlink(missing_ok=True)  # moved away, or refused
    try:
        with transaction.atomic():
            upload = Upload.objects.create(
                partner=partner,
                uploaded_by=uploaded_by,
                original_name=name,
                file=stored,
                size=size,
                sha256=sha256,
            )
    except IntegrityError as error:  # the same file, uploaded twice at the same moment
        default_storage.delete(stored)
        raise DuplicateUpload(Upload.objects.get(partner=partner, sha256=sha256)) from error
    if queue:
        enqueue(upload)
    return upload


class _Arrived(File):
    """A received file on local disk: `FileSystemStorage` moves a file that says where
    it is (`temporary_file_path`) instead of copying it; other storages read it."""

    def temporary_file_path(self) -> str:
        return self.file.name


def enqueue(upload: Upload) -> None:
    from reporting.tasks import process_upload

    upload.queued_at = timezone.now()
    Upload.objects.filter(pk=upload.pk).update(queued_at=upload.queued_at)
    process_upload.delay_on_commit(upload.pk)


# --- Process -------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What processing an upload did (printed by `import_report` as JSON)."""

    upload: int
    partner: str
    status: str
    rows: int = 0
    lines: int = 0
    error_rows: int = 0
    errors: int = 0
    skipped: int = 0
    message: str = ""
    file: dict = field(default_factory=dict)
    mapping: dict = field(default_factory=dict)

    @classmethod
    def of(cls, upload: Upload) -> ImportSummary:
        info = upload.file_info or {}
        headers = info.get("headers", [])
        return cls(
            upload=upload.pk,
            partner=upload.partner.slug,
            status=upload.status,
            rows=upload.rows_total,
            lines=upload.line_count,
            error_rows=upload.error_rows,
            errors=upload.errors.count(),
            skipped=upload.skipped_rows,
            message=upload.message,
            file={
                key: info.get(key)
                for key in (
                    "file_format",
                    "encoding",
                    "delimiter",
                    "sheet",
                    "header_row",
                    "date_order",
                )
            },
            mapping=dict(zip(headers, upload.mapping, strict=False)) if upload.mapping else {},
        )


def _set(upload: Upload, **values) -> None:
    """Update an upload's job fields now (outside any import transaction)."""
    for name, value in values.items():
        setattr(upload, name, value)
    Upload.objects.filter(pk=upload.pk).update(**values)


def _lock_keys(upload_id: int) -> list:
    """The upload's advisory lock: (schema, id). Ids repeat across tenant schemas, and
    advisory locks are per database, so the schema is part of the key (a clash of two
    schema names' 32-bit hashes would only make two imports wait for each other)."""
    return [f"reporting.upload:{connection.schema_name}", upload_id]


@contextmanager
def _upload_lock(upload_id: int, wait: float = 0):
    """Hold the upload's lock for a whole run; yields False if another run kept it for
    `wait` seconds (that run is alive and will finish the upload).

    A session-level advisory lock, not a row lock: a run commits several times (status,
    mapping, the lines), so no one transaction spans it. PostgreSQL releases it when the
    run ends here, or when the session of a killed worker closes; so a run that gets it
    knows no other run of the upload is alive. Needs session pooling if a pooler is added.
    """
    keys = _lock_keys(upload_id)
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s::integer)", keys)
            held = cursor.fetchone()[0]
            if held or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s::integer)", keys)
            except DatabaseError:  # the session is gone, and its locks with it
                log.warning("upload %s: lock not released", upload_id, exc_info=True)


def _lock_if_free(upload_id: int) -> bool:
    """Take the upload's lock until the end of the current transaction, unless a run
    holds it (then that run is alive, whatever its heartbeat says)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtext(%s), %s::integer)", _lock_keys(upload_id)
        )
        return cursor.fetchone()[0]


def upload_process(*, upload_id: int, requested_by=None) -> Upload:
    """Detect, map, normalise and store one upload. Idempotent: safe to run again.

    Runs only for uploads waiting or interrupted (queued/processing); a finished,
    failed or unmapped upload is left alone until someone asks again. The same upload's
    task delivered twice at once (a redelivery while the first still runs, the sweep's
    re-queue, a double click) has one effect: the second run waits for the first's lock,
    then reads the upload again, finds it done and returns; or, if the first still holds
    it after RUN_LOCK_WAIT seconds, returns without doing anything and leaves it to that one.
    """
    with _upload_lock(upload_id, wait=RUN_LOCK_WAIT) as held:
        upload = Upload.objects.select_related("partner").get(pk=upload_id)
        if not held:
            log.info("upload %s: another run holds it; this delivery does nothing", upload_id)
            return upload
        if upload.status not in (UploadStatus.QUEUED, UploadStatus.PROCESSING):
            return upload
        return _run(upload, requested_by)


def _run(upload: Upload, requested_by) -> Upload:
    started = timezone.now()
    # We hold the lock, so an unfinished run is one whose worker died: say so, and stop
    # retrying a file that keeps killing its worker.
    _mark_interrupted(upload, started)
    if _interrupted_attempts(upload) >= settings.REPORTING_IMPORT_MAX_ATTEMPTS:
        _give_up(upload, started)
        upload.refresh_from_db()
        return upload
    _set(
        upload,
        status=UploadStatus.PROCESSING,
        started_at=started,
        finished_at=None,
        progress=0,
        message="",
    )
    run = ImportRun.objects.create(
        upload=upload,
        requested_by=requested_by,
        status=UploadStatus.PROCESSING,
        started_at=started,
        heartbeat_at=started,
    )
    try:
        _process(upload, run)
    except (UploadRefused, MappingError) as error:
        message = (
            _(REFUSALS[error.code]).format(**error.params)
            if isinstance(error, UploadRefused)
            else str(error)
        )
        _finish_failed(upload, run, message)
    except Exception:
        log.exception("import of upload %s failed", upload.pk)
        _finish_failed(
            upload,
            run,
            _(
                "The import stopped because of an internal error; nothing was stored. Try "
                "again, and tell your channel manager if it happens again."
            ),
        )
    upload.refresh_from_db()
    return upload


def _mark_interrupted(upload: Upload, now: datetime.datetime) -> None:
    ImportRun.objects.filter(upload=upload, finished_at__isnull=True).update(
        status=UploadStatus.FAILED, finished_at=now, message=INTERRUPTED
    )


def _interrupted_attempts(upload: Upload) -> int:
    """How many runs in a row (the latest ones) were interrupted."""
    limit = settings.REPORTING_IMPORT_MAX_ATTEMPTS + 1
    latest = upload.runs.order_by("-started_at", "-pk").values_list("message", flat=True)
    count = 0
    for message in latest[:limit]:
        if message != INTERRUPTED:
            break
        count += 1
    return count


def _give_up(upload: Upload, now: datetime.datetime) -> None:
    """Fail an upload whose runs keep being interrupted, with what the partner can do."""
    attempts = _interrupted_attempts(upload)
    with translation.override(_uploader_language(upload)):
        message = ngettext(
            "The import was interrupted %(count)d time before it could finish, so it was "
            "stopped. Nothing was stored. Choose “Process again” to try once more; if it "
            "stops again, tell your channel manager.",
            "The import was interrupted %(count)d times before it could finish, so it was "
            "stopped. Nothing was stored. Choose “Process again” to try once more; if it "
            "stops again, tell your channel manager.",
            attempts,
        ) % {"count": attempts}
    _set(upload, status=UploadStatus.FAILED, message=message, finished_at=now, progress=0)
    latest = upload.runs.order_by("-started_at", "-pk").first()
    if latest is not None:
        ImportRun.objects.filter(pk=latest.pk).update(message=GAVE_UP)
    log.warning("upload %s failed after %s interrupted runs", upload.pk, attempts)
    _emit_result(upload, "upload.failed")


def stalled_imports_recover(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Re-queue the current schema's imports whose worker died; fail them after
    REPORTING_IMPORT_MAX_ATTEMPTS interrupted runs. Beat runs it every minute.

    Without it, a killed worker's import waits in "processing" until Redis redelivers its
    message, an hour later (the visibility timeout). Stalled means: processing, its run's
    heartbeat older than REPORTING_IMPORT_STALL_SECONDS, and no live run holding the
    upload's lock; or queued that long without a worker starting it (the worker that took
    the message was killed). Re-sending is safe: a task delivered twice has one effect.

    Queued uploads are sent again only when no import of the schema moved for as long:
    while imports run and finish, the queue is moving and they are just waiting their
    turn (re-sending then would only lengthen the queue).
    """
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.REPORTING_IMPORT_STALL_SECONDS)
    stalled = Q(status=UploadStatus.PROCESSING, started_at__lt=stale_before)
    queue_moving = ImportRun.objects.filter(
        Q(heartbeat_at__gte=stale_before) | Q(finished_at__gte=stale_before)
    ).exists()
    if not queue_moving:
        stalled |= Q(status=UploadStatus.QUEUED, queued_at__lt=stale_before) | Q(
            status=UploadStatus.QUEUED, queued_at__isnull=True, created_at__lt=stale_before
        )
    candidates = Upload.objects.filter(stalled).values_list("pk", flat=True)
    outcome = {"requeued": 0, "failed": 0}
    for upload_id in list(candidates):
        with transaction.atomic():
            if not _lock_if_free(upload_id):
                continue
            upload = Upload.objects.select_related("partner", "uploaded_by").get(pk=upload_id)
            result = _recover(upload, now, stale_before)
        if result:
            outcome[result] += 1
    return outcome


def _recover(upload: Upload, now: datetime.datetime, stale_before) -> str | None:
    if upload.status == UploadStatus.QUEUED:
        if (upload.queued_at or upload.created_at) >= stale_before:
            return None
        log.warning("upload %s: queued since %s, queued again", upload.pk, upload.queued_at)
        enqueue(upload)
        return "requeued"
    if upload.status != UploadStatus.PROCESSING:
        return None
    run = upload.runs.filter(finished_at__isnull=True).order_by("-started_at", "-pk").first()
    last_sign = (run.heartbeat_at or run.started_at) if run else upload.started_at
    if last_sign is not None and last_sign >= stale_before:
        return None
    _mark_interrupted(upload, now)
    if _interrupted_attempts(upload) >= settings.REPORTING_IMPORT_MAX_ATTEMPTS:
        _give_up(upload, now)
        return "failed"
    log.warning("upload %s: no heartbeat since %s, queued again", upload.pk, last_sign)
    _set(upload, status=UploadStatus.QUEUED, progress=0)
    enqueue(upload)
    return "requeued"


def _finish_failed(upload: Upload, run: ImportRun, message: str) -> None:
    now = timezone.now()
    _set(upload, status=UploadStatus.FAILED, message=message, finished_at=now, progress=0)
    ImportRun.objects.filter(pk=run.pk).update(
        status=UploadStatus.FAILED, message=message, finished_at=now
    )
    _emit_result(upload, "upload.failed")


def _emit_result(upload: Upload, event: str, replaced: int | None = None) -> None:
    """Tell the vendor's subscribed systems how an import ended (webhooks).

    An import that stored lines also says how many earlier lines of the upload it
    replaced (processed again) and the first id of its own: a copy of the lines kept
    through the API drops the upload's lines below that id (docs/api.md, "Keeping a copy
    of the sales lines"), whether it has already read the new ones or not.
    """

    def payload() -> dict:
        fresh = Upload.objects.select_related("partner").get(pk=upload.pk)
        data = {
            "id": fresh.pk,
            "partner": fresh.partner.slug,
            "original_name": fresh.original_name,
            "status": fresh.status,
            "rows_total": fresh.rows_total,
            "line_count": fresh.line_count,
            "error_rows": fresh.error_rows,
            "message": fresh.message,
        }
        if replaced is not None:
            data |= {"lines_replaced": replaced, "first_line_id": fresh.first_line_id}
        return data

    webhooks.emit(event, payload)


def _process(upload: Upload, run: ImportRun) -> None:
    partner = upload.partner
    path = Path(default_storage.path(upload.file.name))
    saved_encoding, saved_order = _saved_choices(partner)
    info = _stored_info(upload) or _detect(
        upload,
        path,
        encoding=upload.encoding or saved_encoding,
        date_order=upload.date_order or saved_order,
    )
    catalogue = set(Product.objects.filter(is_active=True).values_list("vendor_sku", flat=True))
    aliases = dict(partner.sku_aliases.values_list("partner_sku", "product__vendor_sku"))
    signature = header_signature(info.headers)
    saved = partner.column_mappings.filter(signature=signature).first()
    proposal = propose_mapping(info, known_vendor_skus=catalogue, known_partner_skus=set(aliases))
    if upload.mapping and len(upload.mapping) == len(info.headers):
        fields, order = upload.mapping, upload.date_order
    elif saved is not None:
        fields, order = saved.fields, saved.date_order
    elif proposal.certain:
        fields, order = proposal.fields, ""
    else:
        _set(
            upload,
            status=UploadStatus.NEEDS_MAPPING,
            file_info=info.to_dict(),
            proposal=proposal.to_dict(),
            message="\n".join(proposal.reasons),
            finished_at=timezone.now(),
        )
        ImportRun.objects.filter(pk=run.pk).update(
            status=UploadStatus.NEEDS_MAPPING, finished_at=timezone.now()
        )
        return
    validate_mapping(fields, info)
    order = order or (info.date_order if info.date_order in ("dmy", "mdy") else "") or saved_order
    if info.date_order == "ambiguous" and not order:
        _set(
            upload,
            status=UploadStatus.NEEDS_MAPPING,
            file_info=info.to_dict(),
            proposal=proposal.to_dict(),
            message=_("The dates could be day/month or month/day; choose the order."),
            finished_at=timezone.now(),
        )
        return
    _set(upload, file_info=info.to_dict(), proposal=proposal.to_dict(), mapping=fields)
    progress = _ProgressWriter(run.pk)
    try:
        with transaction.atomic():
            counts, months, replaced = _store(
                upload, path, info, fields, order, catalogue, aliases, progress
            )
            finished = timezone.now()
            Upload.objects.filter(pk=upload.pk).update(
                status=UploadStatus.DONE,
                progress=100,
                finished_at=finished,
                message="",
                date_order=order,
                **counts,
            )
            ImportRun.objects.filter(pk=run.pk).update(
                status=UploadStatus.DONE, finished_at=finished, progress=100, **counts
            )
            _after_import(upload, months, replaced)
    finally:
        progress.close()


def _detect(upload: Upload, path: Path, *, encoding: str = "", date_order: str = "") -> FileInfo:
    """Check the container and detect the layout in a confined child process; keep the
    result on the upload (later runs reuse it). Raises `UploadRefused`: the run fails
    with the reason, and nothing else notices."""
    check = check_upload_isolated(
        path,
        upload.original_name,
        max_upload_bytes(),
        encoding_override=encoding or None,
        saved_date_order=date_order or None,
        default_currency=upload.partner.currency or None,
        time_limit=settings.REPORTING_DETECT_SECONDS,
        digest=False,  # hashed on arrival
    )
    _set(upload, file_info=check.info.to_dict())
    return check.info


def _stored_info(upload: Upload) -> FileInfo | None:
    """The layout detected when the file arrived (or re-read in another encoding).

    The bytes cannot have changed since (same SHA-256, stored under a generated name),
    so detecting again would only cost time; None when nothing usable was stored.
    """
    try:
        return FileInfo.from_dict(upload.file_info) if upload.file_info else None
    except (KeyError, TypeError):
        return None


def _store(
    upload, path, info: FileInfo, fields, order, catalogue, aliases, progress
) -> tuple[dict, list[datetime.date], int]:
    """Replace the upload's lines and errors with those of this run (COPY, chunk by chunk).

    Answers the counts, the months (first days) of the new lines and how many earlier
    lines of the upload they replaced (processed again). The caller holds the
    upload's lock (`upload_process`): no other run stores at once.
    """
    counts = {"rows_total": 0, "line_count": 0, "error_rows": 0, "skipped_rows": 0}
    rates = _rates()
    with connection.cursor() as cursor:
        # What the lines' foreign keys would check once per line at commit, once: the
        # upload exists, belongs to this partner, and cannot be deleted (nor its key
        # changed) until this transaction ends. Its partner is held by its own key.
        cursor.execute(
            f"SELECT 1 FROM {Upload._meta.db_table} WHERE id = %s AND partner_id = %s "
            "FOR KEY SHARE",
            [upload.pk, upload.partner_id],
        )
        if cursor.fetchone() is None:
            raise Upload.DoesNotExist(f"upload {upload.pk} of partner {upload.partner_id}")
        cursor.execute(
            f"DELETE FROM {SalesLine._meta.db_table} l WHERE {lines_of_upload('l', '%s')}",
            [upload.pk] * 3,
        )
        replaced = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {UploadError._meta.db_table} WHERE upload_id = %s", [upload.pk]
        )
        # Held until commit: the ids reserved below are above every line committed
        # before, and below every line committed after (`hold_line_ids`).
        hold_line_ids(cursor)
        chunks = normalise(
            path,
            info,
            fields,
            partner_slug=upload.partner.slug,
            default_currency=upload.partner.currency,
            vendor_skus=catalogue,
            sku_aliases=aliases,
            date_order=order or None,
            messages=_row_messages(upload),
        )
        watch = _line_watch()
        months: set[datetime.date] = set()
        line_ids = _LineIds()
        try:
            prepared = _prepared(chunks, upload, rates, line_ids, watch, months)
            for done, lines_csv, errors_csv in prepared:
                _copy(cursor, SalesLine._meta.db_table, LINE_COPY_COLUMNS, lines_csv)
                if errors_csv:
                    _copy(cursor, UploadError._meta.db_table, ERROR_COPY_COLUMNS, errors_csv)
                for name in counts:
                    counts[name] += done[name]
                progress.report(done["progress"], counts["rows_total"])
        finally:
            line_ids.close()
        # Before anything reads the new lines by upload (the duplicate check, below).
        Upload.objects.filter(pk=upload.pk).update(
            first_line_id=line_ids.first, last_line_id=line_ids.last
        )
    counts["line_count"] -= _hold_duplicates(upload, watch)
    return counts, sorted(months), replaced


def _uploader_language(upload: Upload) -> str:
    user = upload.uploaded_by
    return (user.language if user else "") or settings.LANGUAGE_CODE


def _row_messages(upload: Upload) -> dict[str, str]:
    """Row error templates in the uploader's language: the error report is for them."""
    with translation.override(_uploader_language(upload)):
        return {code: _(template) for code, template in ROW_ERRORS.items()}


def _csv(frame: pl.DataFrame, columns: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    frame.select(columns).write_csv(buffer, include_header=False, null_value="\\N")
    return buffer.getvalue()


class _LineIds:
    """Ids for an import's lines, reserved a chunk at a time by the normalising thread.

    One statement per chunk (`setval(nextval + n - 1)`) where each line took a `nextval`
    in the COPY. The import's transaction holds `hold_line_ids` while they are reserved
    and written, so no other writer of lines takes ids meanwhile and the ids ascend in
    commit order. Reserved on a connection of their own (sequences are not transactional)
    because the import's connection is busy with the COPY of the chunk before.
    """

    def __init__(self):
        self.first: int | None = None
        self.last: int | None = None
        params = connection.get_connection_params()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [SalesLine._meta.db_table])
            self.sequence = cursor.fetchone()[0]
        self.connection = psycopg.connect(
            **{k: v for k, v in params.items() if k not in ("cursor_factory", "context")},
            autocommit=True,
        )

    def reserve(self, count: int) -> int:
        """The first of `count` new consecutive ids."""
        last = self.connection.execute(
            "SELECT setval(%s::regclass, nextval(%s::regclass) + %s - 1)",
            [self.sequence, self.sequence, count],
        ).fetchone()[0]
        # Consecutive blocks, as no other writer takes ids meanwhile: first to last is
        # the import's lines and nothing else.
        self.first = self.first or last - count + 1
        self.last = last
        return last - count + 1

    def close(self) -> None:
        self.connection.close()


def _prepared(
    chunks, upload: Upload, rates, line_ids: _LineIds, watch=None, months: set | None = None
):
    """(counts, lines CSV, errors CSV) per chunk, read and normalised one chunk ahead.

    A helper thread parses and normalises the next chunk (polars, no database, GIL
    released) while this thread COPYs the current one into PostgreSQL, so the import
    takes about as long as the COPY alone instead of COPY plus normalisation.
    """
    ahead: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item) -> bool:
        """Hand an item over unless the consumer gave up (then the thread just ends)."""
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                first = line_ids.reserve(chunk.lines.height) if chunk.lines.height else 0
                lines = chunk.lines.with_columns(
                    (pl.int_range(pl.len(), dtype=pl.Int64) + first).alias("id"),
                    pl.lit(upload.pk).alias("upload_id"),
                    pl.lit(upload.partner_id).alias("partner_id"),
                    _reporting_amounts(chunk.lines, rates),
                )
                if watch is not None:
                    watch.add(lines)
                if months is not None:
                    # Which months the summaries must follow: a few distinct values a
                    # chunk, where a database trigger would keep every line until commit.
                    months.update(
                        lines.get_column("invoice_date").dt.truncate("1mo").unique().to_list()
                    )
                errors = b""
                if chunk.errors.height:
                    errors = _csv(
                        chunk.errors.with_columns(pl.lit(upload.pk).alias("upload_id")),
                        ERROR_COPY_COLUMNS,
                    )
                done = {
                    "rows_total": chunk.rows_read,
                    "line_count": chunk.lines.height,
                    "error_rows": chunk.error_rows,
                    "skipped_rows": chunk.skipped_rows + chunk.blank_rows,
                    "progress": chunk.progress,
                }
                # Only bytes and counts cross over: the frames are freed here and now.
                if not offer((done, _csv(lines, LINE_COPY_COLUMNS), errors)):
                    return
            if watch is not None:
                watch.close()  # while the last chunk is COPYed, not after
            offer(None)
        except BaseException as error:  # noqa: BLE001 - handed to the consuming thread
            offer(error)

    worker = threading.Thread(target=produce, name=f"normalise-{upload.pk}", daemon=True)
    worker.start()
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=30)


def _copy(cursor, table: str, columns: tuple[str, ...], data: bytes) -> None:
    quoted = ", ".join(f'"{name}"' for name in columns)
    with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
        copy.write(data)


def _rates() -> pl.DataFrame:
    """Exchange rates into the reporting currency as a frame."""
    reporting = current_vendor().reporting_currency
    rows = list(
        ExchangeRate.objects.filter(quote_currency=reporting)
        .exclude(currency=reporting)
        .values_list("currency", "valid_from", "rate")
    )
    rows.append((reporting, datetime.date(1, 1, 1), 1))
    return pl.DataFrame(
        {
            "currency": [row[0] for row in rows],
            "valid_from": [row[1] for row in rows],
            "rate": [str(row[2]) for row in rows],
        }
    ).with_columns(pl.col("rate").cast(pl.Decimal(38, 10)))


def _reporting_amounts(lines: pl.DataFrame, rates: pl.DataFrame | None) -> pl.Expr:
    """`amount_reporting`: the amount at the rate valid on the invoice date, else null.

    Looked up once per distinct (currency, date) of the chunk, then joined back.
    """
    if rates is None or not lines.height:
        return pl.lit(None, pl.String).alias("amount_reporting")
    pairs = (
        lines.select("currency", "invoice_date")
        .unique()
        .sort("invoice_date")
        .join_asof(
            rates.sort("valid_from"),
            left_on="invoice_date",
            right_on="valid_from",
            by="currency",
            strategy="backward",
            check_sortedness=False,  # sorted by date just above, within each currency too
        )
    )
    mapping = {
        (row["currency"], row["invoice_date"]): row["rate"]
        for row in pairs.iter_rows(named=True)
        if row["rate"] is not None
    }
    if not mapping:
        return pl.lit(None, pl.String).alias("amount_reporting")
    keys = pl.concat_str(pl.col("currency"), pl.col("invoice_date").cast(pl.String), separator="|")
    rate = keys.replace_strict(
        {f"{currency}|{day.isoformat()}": str(value) for (currency, day), value in mapping.items()},
        default=None,
        return_dtype=pl.String,
    ).cast(pl.Decimal(38, 10))
    amount = pl.col("amount").cast(pl.Decimal(38, 6))
    return (amount * rate).round(6).cast(pl.String).alias("amount_reporting")


class _ProgressWriter:
    """Writes a run's progress from its own autocommitting connection, at most every
    PROGRESS_INTERVAL seconds, so pollers see it during the import transaction.

    It writes to the ImportRun row, never to the upload row (see ImportRun.progress),
    with the heartbeat that tells the stalled-import sweep the run is alive.
    """

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.last = 0.0
        self.connection = None
        params = connection.get_connection_params()
        try:
            self.connection = psycopg.connect(
                **{k: v for k, v in params.items() if k not in ("cursor_factory", "context")},
                autocommit=True,
            )
            self.connection.execute(
                "SELECT set_config('search_path', %s, false)", [connection.schema_name]
            )
        except psycopg.Error:  # progress is a nicety: an import never fails for it
            log.warning("no progress connection for run %s", run_id, exc_info=True)
            self.connection = None

    def report(self, fraction: float, rows: int) -> None:
        now = time.monotonic()
        if self.connection is None or now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        try:
            self.connection.execute(
                f"UPDATE {ImportRun._meta.db_table} SET progress = %s, rows_total = %s, "
                "heartbeat_at = %s WHERE id = %s",
                [min(99, int(fraction * 100)), rows, timezone.now(), self.run_id],
            )
        except psycopg.Error:
            log.warning("progress of run %s not written", self.run_id, exc_info=True)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _line_watch():
    """What reporting.quality watches of the lines as they stream by."""
    from reporting.quality.duplicates import LineWatch

    return LineWatch()


def _hold_duplicates(upload: Upload, watch) -> int:
    """Lines the partner had already reported leave the figures (reporting.quality)."""
    from reporting.quality.duplicates import hold_duplicates

    return hold_duplicates(upload, watch)


def _after_import(upload: Upload, months: list[datetime.date], replaced: int) -> None:
    """Once the lines are committed: refresh the figures and tell the uploader."""
    _emit_result(upload, "upload.imported", replaced)
    for hook in registry.sales_changed_hooks():
        hook([upload.partner_id], months)
    if upload.uploaded_by_id and upload.uploaded_by and upload.uploaded_by.email:
        from reporting.tasks import send_import_done

        send_import_done.delay_on_commit(upload.pk)


# --- Command-line import -------------------------------------------------------------


def report_import(*, partner: Partner, path: Path, uploaded_by=None) -> ImportSummary:
    """`import_report`: the same checks, storage and pipeline as an upload, run here."""
    with path.open("rb") as handle:
        blocks = iter(lambda: handle.read(1 << 20), b"")
        upload = receive(
            partner=partner, uploaded_by=uploaded_by, name=path.name, chunks=blocks, queue=False
        )
    # The upload row is committed by now; process it here, as the task would.
    upload = upload_process(upload_id=upload.pk)
    return ImportSummary.of(upload)
