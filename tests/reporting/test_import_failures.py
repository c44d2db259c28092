"""Imports that outlive their worker, and tasks delivered twice, on real services.

- The same upload run twice at once (two connections, committed data) stores once.
- The stalled-import sweep re-queues an import whose worker died, a real worker finishes
  it; after REPORTING_IMPORT_MAX_ATTEMPTS interrupted runs it fails with a message.

Data is committed (the worker and the second connection must see it) and removed after.
"""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from deals.models import Product
from prm.accounts.services import api_key_create
from prm.api import pagination
from reporting import importing, services
from reporting.models import ImportRun, SalesLine, Upload, UploadStatus
from tests.api.support import with_key
from tests.conftest import TenantClient, host_of
from tests.reporting.waiting import wait_for_upload


@pytest.fixture
def private_media(settings):
    """Override the folder-per-test fixture: the worker must find the stored files."""
    return settings.MEDIA_ROOT


def _report(created, cast, rows: int) -> Upload:
    """A committed, not yet queued upload of `rows` lines of two fresh products."""
    marker = uuid.uuid4().hex[:8].upper()
    skus = [f"F{marker}-SW", f"F{marker}-AP"]
    with schema_context("acme"):
        for sku in skus:
            Product.objects.create(vendor_sku=sku, name=sku, list_price=1)
            created["skus"].append(sku)
        body = "".join(
            f"F{marker}-{i},2026-09-{1 + i % 28:02d},{skus[i % 2]},{1 + i % 9},"
            f"{10 + i % 50}.00,USD\n"
            for i in range(rows)
        )
        upload = importing.receive(
            partner=cast.partner_a,
            uploaded_by=cast.partner_a_admin,
            name="report.csv",
            chunks=[("Invoice No,Invoice Date,SKU,Qty,Unit Price,Currency\n" + body).encode()],
            queue=False,
        )
        created["uploads"].append(upload.pk)
        return upload


def _in_thread(results: dict, key: str, upload_id: int, name: str = "") -> threading.Thread:
    """Run the import in its own thread, hence on its own database connection."""

    def run():
        try:
            with schema_context("acme"):
                results[key] = services.upload_process(upload_id=upload_id)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name or None)
    thread.start()
    return thread


def _lines(upload_id: int) -> tuple[int, int]:
    """(lines, distinct source rows) the upload has in the database."""
    with schema_context("acme"):
        lines = SalesLine.objects.filter(upload_id=upload_id)
        return lines.count(), lines.values("source_row").distinct().count()


def _runs(upload_id: int) -> list[tuple[str, str]]:
    with schema_context("acme"):
        return list(
            ImportRun.objects.filter(upload_id=upload_id)
            .order_by("started_at", "pk")
            .values_list("status", "message")
        )


def _stall(upload: Upload, *, interrupted: int = 0, minutes: int = 10) -> None:
    """Make the upload look like its worker was killed `minutes` ago mid-import, after
    `interrupted` earlier runs that were killed too."""
    long_ago = timezone.now() - timedelta(minutes=minutes)
    with schema_context("acme"):
        for attempt in range(interrupted):
            started = long_ago - timedelta(minutes=attempt + 1)
            ImportRun.objects.create(
                upload=upload,
                status=UploadStatus.FAILED,
                message=services.INTERRUPTED,
                started_at=started,
                heartbeat_at=started,
                finished_at=started,
            )
        ImportRun.objects.create(
            upload=upload,
            status=UploadStatus.PROCESSING,
            progress=40,
            started_at=long_ago,
            heartbeat_at=long_ago,
        )
        Upload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.PROCESSING, started_at=long_ago, queued_at=long_ago
        )


def test_it_stores_the_lines_once_when_the_same_upload_runs_twice_at_once(cast, committed):
    rows = 200_000  # a few seconds of import: the second run arrives while the first stores
    upload = _report(committed, cast, rows)
    results: dict = {}
    first = _in_thread(results, "first", upload.pk)
    wait_for_upload(
        upload.pk, lambda u: u.status == UploadStatus.PROCESSING and u.runs.exists(), 30
    )
    second = _in_thread(results, "second", upload.pk)
    first.join(120)
    second.join(120)

    assert isinstance(results["first"], Upload), results["first"]
    assert isinstance(results["second"], Upload), results["second"]
    assert results["first"].status == UploadStatus.DONE
    # The second waited for the first and found it done (or, on a slow machine, left it
    # to the first after RUN_LOCK_WAIT): either way it stored nothing itself.
    assert results["second"].status in (UploadStatus.DONE, UploadStatus.PROCESSING)
    assert _lines(upload.pk) == (rows, rows), "every line once, none twice"
    assert _runs(upload.pk) == [(UploadStatus.DONE, "")], "one run, never called interrupted"


def test_it_leaves_a_stalled_import_alone_while_its_run_is_alive(cast, committed, monkeypatch):
    """An old heartbeat alone is not enough: a live run holds the upload's lock, and
    neither the sweep nor a second delivery of its task touches it."""
    monkeypatch.setattr(importing, "RUN_LOCK_WAIT", 0.5)
    upload = _report(committed, cast, 10)
    _stall(upload)
    holding, release = threading.Event(), threading.Event()

    def live_run():
        with schema_context("acme"), importing._upload_lock(upload.pk) as held:
            assert held
            holding.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=live_run)
    thread.start()
    try:
        assert holding.wait(10)
        with schema_context("acme"):
            assert services.stalled_imports_recover() == {"requeued": 0, "failed": 0}
            again = services.upload_process(upload_id=upload.pk)
        assert again.status == UploadStatus.PROCESSING
    finally:
        release.set()
        thread.join(10)
    assert _runs(upload.pk) == [(UploadStatus.PROCESSING, "")]


@pytest.mark.worker
def test_it_requeues_an_import_whose_worker_died_and_the_worker_finishes_it(
    celery_worker, cast, committed
):
    upload = _report(committed, cast, 500)
    _stall(upload)  # killed 10 minutes ago, its message is lost until the visibility timeout

    with schema_context("acme"):
        assert services.stalled_imports_recover() == {"requeued": 1, "failed": 0}
        assert Upload.objects.get(pk=upload.pk).status == UploadStatus.QUEUED

    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed"), 60)
    assert (done.status, done.line_count, done.message) == (UploadStatus.DONE, 500, "")
    assert _lines(upload.pk) == (500, 500)
    assert _runs(upload.pk) == [
        (UploadStatus.FAILED, services.INTERRUPTED),
        (UploadStatus.DONE, ""),
    ]


@pytest.mark.worker
def test_it_sends_again_an_upload_queued_long_ago_that_no_worker_started(
    celery_worker, cast, committed
):
    upload = _report(committed, cast, 50)  # never queued: its message was lost
    with schema_context("acme"):
        Upload.objects.filter(pk=upload.pk).update(queued_at=timezone.now() - timedelta(minutes=10))
        assert services.stalled_imports_recover() == {"requeued": 1, "failed": 0}
        # Sent once per threshold, not on every sweep.
        assert services.stalled_imports_recover() == {"requeued": 0, "failed": 0}

    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed"), 60)
    assert (done.status, done.line_count) == (UploadStatus.DONE, 50)


def test_it_fails_an_import_interrupted_too_often_with_a_message_and_can_run_again(
    cast, committed, client_for, settings
):
    settings.REPORTING_IMPORT_MAX_ATTEMPTS = 3
    upload = _report(committed, cast, 20)
    _stall(upload, interrupted=2)  # the third run's worker died as well

    with schema_context("acme"):
        assert services.stalled_imports_recover() == {"requeued": 0, "failed": 1}
    with schema_context("acme"):
        failed = Upload.objects.get(pk=upload.pk)
    assert failed.status == UploadStatus.FAILED
    assert "interrupted 3 times" in failed.message and "Process again" in failed.message
    assert _lines(upload.pk) == (0, 0)

    page = client_for(cast.partner_a_admin).get(reverse("reporting:detail", args=[upload.pk]))
    text = page.content.decode()
    assert "interrupted 3 times" in text and 'data-testid="reprocess"' in text

    # The partner asks again: the count starts afresh and the import runs.
    with schema_context("acme"):
        services.upload_reprocess(user=cast.partner_a_admin, upload_id=upload.pk)
        again = services.upload_process(upload_id=upload.pk)
    assert (again.status, again.line_count, again.message) == (UploadStatus.DONE, 20, "")


def test_it_stops_retrying_a_file_whose_runs_keep_dying_even_without_the_sweep(
    cast, committed, settings
):
    """The worker's own redelivery (reject_on_worker_lost) is bounded too."""
    settings.REPORTING_IMPORT_MAX_ATTEMPTS = 2
    upload = _report(committed, cast, 20)
    _stall(upload, interrupted=1, minutes=0)
    user, language = cast.partner_a_admin, cast.partner_a_admin.language
    with schema_context("acme"):
        type(user).objects.filter(pk=user.pk).update(language="vi")  # the uploader's
        try:
            result = services.upload_process(upload_id=upload.pk)
        finally:
            type(user).objects.filter(pk=user.pk).update(language=language)
    assert result.status == UploadStatus.FAILED
    assert result.message.startswith("Việc nhập bị gián đoạn 2 lần"), result.message
    assert len(_runs(upload.pk)) == 2, "no third run was started"
    assert _lines(upload.pk) == (0, 0)


def test_it_sends_queued_uploads_again_only_when_no_import_moved_for_a_while(acme, cast):
    """While imports run and finish, a queued upload is just waiting its turn."""
    header = "Invoice No,Invoice Date,SKU,Qty,Unit Price,Currency\n"
    waiting, moving = (
        importing.receive(
            partner=cast.partner_a,
            uploaded_by=None,
            name=f"{name}.csv",
            chunks=[f"{header}{name}-1,2026-09-01,X,1,1.00,USD\n".encode()],
            queue=False,
        )
        for name in ("waiting", "moving")
    )
    try:
        now = timezone.now()
        Upload.objects.filter(pk=waiting.pk).update(queued_at=now - timedelta(minutes=10))
        run = ImportRun.objects.create(
            upload=moving,
            status=UploadStatus.DONE,
            started_at=now - timedelta(minutes=1),
            heartbeat_at=now - timedelta(minutes=1),
            finished_at=now - timedelta(seconds=30),
        )
        assert services.stalled_imports_recover() == {"requeued": 0, "failed": 0}

        long_ago = now - timedelta(minutes=6)
        ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago, finished_at=long_ago)
        assert services.stalled_imports_recover() == {"requeued": 1, "failed": 0}
    finally:
        for upload in (waiting, moving):
            default_storage.delete(upload.file.name)


def test_a_client_paging_sales_lines_by_id_misses_none_of_two_imports_at_once(
    cast, committed, monkeypatch
):
    """Two imports of one tenant at once: the first has COPYed its lines and is still
    open when the second starts. A client syncing /api/v1/sales-lines/ by cursor reads
    while the first is open, then again from its cursor once both are done: it must have
    every line of both uploads. (Were the second to commit first with higher ids, the
    first's lines would land below the client's cursor and be skipped for good.)"""
    first, second = _report(committed, cast, 300), _report(committed, cast, 300)
    copied, resume = threading.Event(), threading.Event()
    copy = importing._copy

    def pausing_copy(cursor, table, columns, data):
        copy(cursor, table, columns, data)
        if threading.current_thread().name == "first-import" and table == "reporting_salesline":
            copied.set()
            resume.wait(60)

    monkeypatch.setattr(importing, "_copy", pausing_copy)
    with schema_context("acme"):
        key_row, key = api_key_create(user=cast.vendor_admin, name="line sync")
    client = with_key(TenantClient(host_of(cast.acme)), key)

    def page_from(cursor: str | None) -> tuple[list[int], str | None]:
        """Every line id after `cursor`, following `next`; and the cursor to resume from."""
        seen: list[int] = []
        url = "/api/v1/sales-lines/?limit=200" + (f"&cursor={cursor}" if cursor else "")
        while url:
            response = client.get(url)
            assert response.status_code == 200, response.content
            seen += [row["id"] for row in response.json()["results"]]
            url = response.json()["next"]
        return seen, (pagination._encode(seen[-1]) if seen else cursor)

    results: dict = {}
    try:
        one = _in_thread(results, "first", first.pk, name="first-import")
        assert copied.wait(60), results
        two = _in_thread(results, "second", second.pk)
        _until_done_or_waiting_on_a_lock(results, "second")
        seen, cursor = page_from(None)
        resume.set()
        one.join(60)
        two.join(60)
        later, _cursor = page_from(cursor)
    finally:
        resume.set()
        with schema_context("acme"):
            key_row.delete()

    assert results["first"].status == results["second"].status == UploadStatus.DONE
    with schema_context("acme"):
        first_ids = set(SalesLine.objects.filter(upload=first).values_list("pk", flat=True))
        second_ids = set(SalesLine.objects.filter(upload=second).values_list("pk", flat=True))
    assert len(first_ids) == len(second_ids) == 300
    assert (first_ids | second_ids) - set(seen + later) == set(), "lines the client skipped"
    assert max(first_ids) < min(second_ids), "ids ascend in the order the imports committed"


def _until_done_or_waiting_on_a_lock(results: dict, key: str, timeout: float = 30) -> None:
    """Until the import `key` has finished, or waits on a lock another import holds."""
    deadline = time.monotonic() + timeout
    with schema_context("acme"), connection.cursor() as cursor:
        while key not in results and time.monotonic() < deadline:
            cursor.execute(
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            if cursor.fetchone():
                return
            time.sleep(0.05)
    assert key in results or time.monotonic() < deadline, f"{key} neither done nor waiting"
