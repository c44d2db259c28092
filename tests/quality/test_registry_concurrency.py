"""Two workers linking at once (the production worker runs two tasks at a time): two
partners' reports that name the same new customer, linked concurrently on two real
connections with committed data (removed afterwards by `committed`)."""

import threading
import time
import uuid

from django.db import connection, transaction
from django_tenants.utils import schema_context

from deals.models import Product
from reporting.models import Upload
from reporting.quality.models import Customer, CustomerName
from reporting.quality.registry import link_pending
from reporting.quality.selectors import measure_upload
from reporting.services import report_import

HEADER = "Invoice Number,Invoice Date,Reseller,End Customer,SKU,Quantity,Unit Price,Currency"


def _report(created, tmp_path, partner, customer: str, sku: str) -> int:
    path = tmp_path / f"{partner.slug}.csv"
    path.write_text(
        f"{HEADER}\n{partner.slug}-1,2026-09-01,,{customer},{sku},1,100.00,USD\n",
        encoding="utf-8",
    )
    with schema_context("acme"):
        upload_id = report_import(partner=partner, path=path).upload
    created["uploads"].append(upload_id)
    return upload_id


def _waiting_on_a_lock(timeout: float = 30) -> None:
    """Until another session of the test database waits for a lock (row or advisory)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second linking never waited for the first")


def test_two_reports_naming_one_new_customer_link_at_once_to_one_customer(
    cast, committed, tmp_path
):
    marker = uuid.uuid4().hex[:8]
    sku, customer = f"REG-{marker}", f"Lakeside Dental {marker}"
    with schema_context("acme"):
        Product.objects.create(vendor_sku=sku, name=sku, list_price=100)
    committed["skus"].append(sku)
    first = _report(committed, tmp_path, cast.partner_a, customer, sku)
    second = _report(committed, tmp_path, cast.partner_b, customer, sku)

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
