"""The admin's "delete selected" while a real worker imports one of the chosen uploads:
that one is left with a warning at once, the others are withdrawn, nothing is lost.

The import is held in the middle of its store (tests/reporting/holding.py).
"""

import time

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_context

from reporting.models import SalesLine, Upload, UploadWithdrawal
from tests.conftest import TenantClient, host_of, wait_for_worker_idle
from tests.reporting.conftest import _quality_step_finished
from tests.reporting.holding import HOLD, while_reimport_is_held
from tests.reporting.test_withdraw_worker import (
    private_media,  # noqa: F401 (the fixture: the worker must find the stored files)
)
from tests.reporting.test_worker import _products, _receive
from tests.reporting.uploads import september_csv
from tests.reporting.waiting import wait_for_upload

pytestmark = pytest.mark.worker

ROWS = 200
UPLOADS = "/admin/reporting/upload/"


def _report(committed, cast, name: str) -> Upload:
    """A September report of partner A with invoices of its own, imported by the worker."""
    content = september_csv("WA", ROWS)
    upload = _receive(committed, cast, name, content)
    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed", "needs_mapping"), 60)
    assert (done.status, done.line_count) == ("done", ROWS), done.message
    return done


def _delete_selected(client, upload_ids: list[int], answers: dict) -> None:
    try:
        started = time.monotonic()
        chosen = {"action": "delete_selected", "_selected_action": upload_ids, "post": "yes"}
        answer = client.post(UPLOADS, chosen)
        answers["post"] = (answer, time.monotonic() - started)
        answers["list"] = client.get(UPLOADS)  # the messages the action left
    finally:
        connection.close()


@pytest.fixture
def admin_records():
    """The withdrawal records and admin log entries the test commits, removed after."""
    ids: list[int] = []
    yield ids
    with schema_context("acme"):
        UploadWithdrawal.objects.filter(upload_id__in=ids).delete()
        LogEntry.objects.filter(object_id__in=[str(pk) for pk in ids]).delete()


def test_delete_selected_leaves_the_report_being_imported_at_once_and_withdraws_the_others(
    celery_worker, cast, committed, admin_records
):
    _products(committed, "WA-SW", "WA-AP")
    first, held, last = (_report(committed, cast, f"{n}.csv") for n in ("first", "held", "last"))
    admin_records.extend([first.pk, held.pk, last.pk])
    _quality_step_finished([first.pk, held.pk, last.pk])
    client = TenantClient(host_of(cast.acme))
    with schema_context("acme"):
        client.force_login(cast.vendor_admin)
    answers: dict = {}

    done, held_for = while_reimport_is_held(
        cast.partner_a_admin,
        held.pk,
        lambda: _delete_selected(client, [first.pk, held.pk, last.pk], answers),
    )

    answer, took = answers["post"]
    assert answer.status_code == 302
    assert held_for >= HOLD
    assert took < 1.0, (took, held_for)
    text = answers["list"].content.decode()
    assert f"“held.csv ({cast.partner_a.name})” was not deleted: This report is being" in text
    assert "Deleted 2 report uploads" in text
    # The import finished with every line; the upload and its file stay.
    assert (done.status, done.line_count) == ("done", ROWS), done.message
    with schema_context("acme"):
        assert SalesLine.objects.filter(upload_id=held.pk).count() == ROWS
        assert default_storage.exists(done.file.name)
        assert not UploadWithdrawal.objects.filter(upload_id=held.pk).exists()
        for gone in (first, last):
            assert not Upload.objects.filter(pk=gone.pk).exists()
            assert not SalesLine.objects.filter(upload_id=gone.pk).exists()
            assert not default_storage.exists(gone.file.name)
            record = UploadWithdrawal.objects.get(upload_id=gone.pk)
            assert (record.withdrawn_by, record.line_count) == (cast.vendor_admin, ROWS)
        client.logout()
    wait_for_worker_idle()
