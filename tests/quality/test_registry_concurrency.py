"""Two workers linking at once (the production worker runs two tasks at a time): two
partners' reports that name the same new customer, linked concurrently on two real
connections with committed data (removed afterwards by `committed`)."""

import datetime as dt
import threading
import time
import uuid

from django.db import connection, transaction
from django_tenants.utils import schema_context

from reporting import importing
from reporting.models import SalesLine, Upload
from reporting.quality.models import Customer, CustomerName
from reporting.quality.registry import link_pending
from reporting.quality.selectors import measure_upload


def _report(created, partner, customer: str) -> int:
    """A stored upload with one line naming `customer`, written here rather than imported:
    an import queues the quality step, and a worker left running by an earlier test would
    link the spelling before the two linkings under test."""
    with schema_context("acme"):
        upload = importing.receive(
            partner=partner, uploaded_by=None, name="report.csv", chunks=[b"-"], queue=False
        )
        SalesLine.objects.create(
            upload=upload,
            partner=partner,
            invoice_number=f"{partner.slug}-1",
            invoice_date=dt.date(2026, 9, 1),
            end_customer=customer,
            vendor_sku="AN-FW-100",
            quantity=1,
            unit_price=100,
            amount=100,
            currency="USD",
            source_row=2,
            transaction_type="sale",
        )
    created["uploads"].append(upload.pk)
    return upload.pk


def _waiting_on_a_lock(timeout: float = 30) -> None:
    """Until another session waits to link (for the registry's lock or a spelling's row)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                " AND (query LIKE %s OR query LIKE %s)",
                [f"%{CustomerName._meta.db_table}%", "%pg_advisory_xact_lock%"],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second linking never waited for the first")


def test_two_reports_naming_one_new_customer_link_at_once_to_one_customer(cast, committed):
    marker = uuid.uuid4().hex[:8]
    customer = f"Lakeside Dental {marker}"
    first = _report(committed, cast.partner_a, customer)
    second = _report(committed, cast.partner_b, customer)

    linked, commit = threading.Event(), threading.Event()
    results: dict = {}

    def run(key: str, upload_id: int, hold: bool) -> None:
        try:
            with schema_context("acme"), transaction.atomic():
                results[key] = link_pending(upload_id=upload_id)
                if hold:  # the first worker's linking has not committed yet
                    linked.set()
                    commit.wait(30)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            results[key] = error
        finally:
            linked.set()
            connection.close()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    linked.wait(30)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    with schema_context("acme"):
        _waiting_on_a_lock()
    commit.set()
    one.join(60)
    two.join(60)

    assert results["first"] == {"auto": 0, "review": 0, "new": 1}
    # The second saw the first's decision instead of deciding the spelling again.
    assert results["second"] == {"auto": 0, "review": 0, "new": 0}, results["second"]
    with schema_context("acme"):
        spelling = CustomerName.objects.get(name=customer)
        assert Customer.objects.filter(names=spelling).count() == 1
        for upload_id in (first, second):
            assert measure_upload(Upload.objects.get(pk=upload_id))["unlinked_lines"] == 0
