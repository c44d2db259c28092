"""The quality steps of an import on a real Celery worker: duplicates held as the lines are
stored, then (after commit) end customers linked, the upload measured and the partner's
score rebuilt."""

import csv
import datetime as dt
import io
import time
import uuid

import pytest
from django_tenants.utils import schema_context

from reporting.models import SalesLine
from reporting.quality.models import (
    Customer,
    CustomerName,
    HeldLine,
    LinkStatus,
    PartnerPeriodQuality,
    UploadQuality,
)
from tests.ingest.support import SAMPLES
from tests.reporting.test_worker import _products, _receive
from tests.reporting.waiting import wait_for_upload

pytestmark = pytest.mark.worker


@pytest.fixture
def private_media(settings):
    """The worker must find the stored files."""
    return settings.MEDIA_ROOT


@pytest.fixture
def linked(django_db_blocker, cast):
    names: list[str] = []
    with django_db_blocker.unblock():
        yield names
        with schema_context("acme"):
            CustomerName.objects.filter(name__in=names).delete()
            Customer.objects.filter(name__in=names).delete()
            PartnerPeriodQuality.objects.filter(partner=cast.partner_a).delete()


def _done(upload_id: int):
    return wait_for_upload(upload_id, lambda u: u.status in ("done", "failed"), 60)


def _eventually(read, timeout: float = 60):
    """What `read()` finds in acme once the worker wrote it (polled)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with schema_context("acme"):
            found = read()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("the worker never wrote it")


def _measured(upload_id: int) -> dict:
    return _eventually(lambda: UploadQuality.objects.filter(upload_id=upload_id).first()).figures


def test_it_holds_a_resent_report_and_rebuilds_quality_on_the_worker(
    celery_worker, cast, committed, linked
):
    with schema_context("acme"):
        skus = [
            line.split(",")[0] for line in (SAMPLES / "products.csv").read_text().splitlines()[1:]
        ]
    _products(committed, *skus)
    marker = uuid.uuid4().hex[:8]
    text = (SAMPLES / "northwind_pos_2026-09.csv").read_text(encoding="utf-8")
    text = text.replace("Harbor View Hotels", f"Harbor View Hotels {marker}")
    linked.extend({row["End Customer"] for row in csv.DictReader(io.StringIO(text))} - {""})

    first = _done(_receive(committed, cast, "september.csv", text.encode()).pk)
    # The same lines again, saved by another program (Windows line ends): other bytes.
    again = _done(
        _receive(committed, cast, "september-again.csv", text.replace("\n", "\r\n").encode()).pk
    )

    assert (first.status, first.line_count) == ("done", 93)
    assert (again.status, again.line_count) == ("done", 0)
    with schema_context("acme"):
        assert (
            SalesLine.objects.filter(
                partner=cast.partner_a, upload_id__in=[first.pk, again.pk]
            ).count()
            == 93
        )
        assert HeldLine.objects.filter(upload_id=again.pk).count() == 93
    figures = _measured(again.pk)
    assert figures["duplicate_rows"] == 93 and figures["months"] == ["2026-09"]
    measured = _measured(first.pk)
    with schema_context("acme"):
        # A spelling alike to a customer already known waits for a CM and counts as
        # unlinked until then: the registry must not hold one (an earlier test's leftover).
        waiting = CustomerName.objects.filter(name__in=linked, status=LinkStatus.REVIEW)
        assert list(waiting.values_list("name", "candidate__name")) == []
    assert measured["unlinked_lines"] == 0, "every named customer linked"
    with schema_context("acme"):
        assert CustomerName.objects.filter(name=f"Harbor View Hotels {marker}").exists()
    score = _eventually(
        lambda: PartnerPeriodQuality.objects.filter(
            partner=cast.partner_a, month=dt.date(2026, 9, 1), figures__duplicate_rows=93
        ).first()
    )
    assert score.figures["rows"] == 186 and score.figures["customer_link_rate"] == 1.0
