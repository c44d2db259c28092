"""The import on a real Celery worker against real Redis and PostgreSQL.

The data must be committed for the worker to see it (CONTRIBUTING.md, "committed"
pattern); every test removes what it created. Files go to the real MEDIA_ROOT, which the
worker process shares, and are deleted afterwards.
"""

import signal
import time
import uuid

import psutil
import pytest
from django_tenants.utils import schema_context

from deals.models import Product
from reporting import importing
from reporting.models import SalesLine, Upload, UploadStatus
from tests.ingest.support import SAMPLES
from tests.reporting.uploads import september_csv
from tests.reporting.waiting import wait_for_upload

pytestmark = pytest.mark.worker


@pytest.fixture
def private_media(settings):
    """Override the folder-per-test fixture: the worker must find the stored files."""
    return settings.MEDIA_ROOT


def _products(created, *skus):
    with schema_context("acme"):
        for sku in skus:
            Product.objects.get_or_create(vendor_sku=sku, defaults={"name": sku, "list_price": 1})
            created["skus"].append(sku)


def _receive(created, cast, name: str, content: bytes) -> Upload:
    with schema_context("acme"):
        upload = importing.receive(
            partner=cast.partner_a,
            uploaded_by=cast.partner_a_admin,
            name=name,
            chunks=[content],
        )
        created["uploads"].append(upload.pk)
        return upload


def _importing(upload: Upload) -> bool:
    """Lines are being written: the run reports progress (from its own connection)."""
    with schema_context("acme"):
        run = upload.runs.first()
        return upload.status == "processing" and run is not None and 0 < run.progress < 100


def test_it_imports_an_upload_on_the_worker(celery_worker, cast, committed):
    with schema_context("acme"):
        skus = [
            line.split(",")[0] for line in (SAMPLES / "products.csv").read_text().splitlines()[1:]
        ]
    _products(committed, *skus)
    text = (SAMPLES / "northwind_pos_2026-09.csv").read_text(encoding="utf-8")
    # A customer name made unique, so the bytes differ from earlier runs' uploads.
    content = text.replace("Harbor View Hotels", f"Harbor View Hotels {uuid.uuid4()}", 1).encode()
    upload = _receive(committed, cast, "northwind.csv", content)
    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed", "needs_mapping"), 60)
    assert (done.status, done.line_count, done.error_rows) == ("done", 93, 0)
    with schema_context("acme"):
        assert SalesLine.objects.filter(upload_id=upload.pk).count() == 93
    # The worker process keeps the next import's confined detection process started.
    deadline = time.monotonic() + 30
    while not _spares(celery_worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(_spares(celery_worker)) == 1


def _spares(worker) -> list:
    """The worker's idle detection processes (a pool child's child each)."""
    found = []
    for process in psutil.Process(worker.pid).children(recursive=True):
        try:
            if "reporting.ingest.isolated" in process.cmdline():
                found.append(process)
        except psutil.NoSuchProcess:
            continue
    return found


def test_it_reads_a_workbook_with_date_cells_on_the_worker_not_on_arrival(
    celery_worker, cast, committed, tmp_path
):
    from tests.ingest.workbooks import northwind_xlsx

    with schema_context("acme"):
        skus = [
            line.split(",")[0] for line in (SAMPLES / "products.csv").read_text().splitlines()[1:]
        ]
    _products(committed, *skus)
    content = northwind_xlsx(tmp_path / "northwind.xlsx").read_bytes()
    upload = _receive(committed, cast, "northwind.xlsx", content)
    assert upload.file_info == {}  # the request stored it; nothing has read it yet
    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed", "needs_mapping"), 60)
    assert (done.status, done.line_count, done.error_rows) == ("done", 93, 0), done.message
    assert done.file_info["sheet"] == "Sales" and done.file_info["date_order"] is None


def test_it_leaves_no_partial_lines_when_the_worker_dies_and_the_retry_completes(
    celery_worker, cast, committed
):
    _products(committed, "KILL-SW", "KILL-AP")
    rows = 600_000
    content = september_csv("KILL", rows)
    upload = _receive(committed, cast, "big.csv", content)

    running = wait_for_upload(upload.pk, _importing, 120)
    children = psutil.Process(celery_worker.pid).children()
    assert children, "the prefork worker has a child process running the task"
    for child in children:
        child.send_signal(signal.SIGKILL)
    with schema_context("acme"):
        assert SalesLine.objects.filter(upload_id=upload.pk).count() == 0, "no partial lines"
    assert running.status == UploadStatus.PROCESSING

    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed"), 300)
    assert (done.status, done.line_count, done.error_rows) == (UploadStatus.DONE, rows, 0)
    with schema_context("acme"):
        lines = SalesLine.objects.filter(upload_id=upload.pk)
        assert lines.count() == rows
        assert lines.values("source_row").distinct().count() == rows
        runs = list(done.runs.order_by("started_at").values_list("status", "message"))
    assert runs[0] == ("failed", "interrupted") and runs[-1][0] == "done"
