"""After an import only the months whose lines changed are summarised again, and the
figures are exactly those of a full rebuild and of the raw lines the files held.

Imports run through the real pipeline (`report_import`, `upload_process`); the refresh is
the task the import's hook queues, run here in the test's transaction.
"""

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import connection

from reporting.analytics import services, tasks
from reporting.analytics.models import SalesChangedMonth, SalesMonth, SalesMonthProduct
from reporting.models import Upload
from reporting.services import report_import, upload_process, upload_reprocess
from tests.ingest.support import SAMPLES

NORTHWIND = SAMPLES / "northwind_pos_2026-09.csv"
HEADER = ["Invoice Number", "Invoice Date", "Reseller", "End Customer", "SKU", "Quantity",
          "Unit Price", "Currency"]  # fmt: skip


def _sample_rows() -> list[dict]:
    with NORTHWIND.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _report(path, tag: str, months: list[date], customers: slice = slice(None)) -> list[dict]:
    """The sample's rows spread over ``months`` (row i in months[i % n]), invoice numbers
    tagged so that no two files repeat a line (repeats would be held)."""
    rows = []
    for i, row in enumerate(_sample_rows()[customers]):
        month = months[i % len(months)]
        day = int(row["Invoice Date"][-2:])
        rows.append(
            row
            | {
                "Invoice Number": f"{tag}-{row['Invoice Number']}",
                "Invoice Date": month.replace(day=min(day, 28)).isoformat(),
            }
        )
    write(path, rows)
    return rows


def write(path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)


def _refresh_as_the_import_task_does(partner) -> None:
    tasks.refresh_summaries(
        partner_ids=[partner.pk], sales=True, deals=False, changed_months_only=True
    )


def _figures() -> dict:
    """Every summary and rollup row, and every finding, without ids or times."""
    tables = {
        "product": "SELECT partner_id, month, vendor_sku, country, currency, quantity, amount,"
        " amount_reporting, line_count, unconverted_lines, first_reported_at,"
        " channel_manager_id FROM analytics_salesmonthproduct",
        "month": "SELECT partner_id, month, currency, quantity, amount, amount_reporting,"
        " line_count, unconverted_lines, first_reported_at FROM analytics_salesmonth",
        "country": "SELECT partner_id, month, country, currency, quantity, amount_reporting,"
        " line_count FROM analytics_salesmonthcountry",
        "tenant": "SELECT dimension, key, month, currency, channel_manager_id, vendor_wide,"
        " quantity, amount_reporting, line_count, unconverted_lines FROM analytics_tenantmonth",
        "filed": "SELECT partner_id, channel_manager_id FROM analytics_rolluppartner",
        "findings": "SELECT partner_id, kind, status, deal_id, customer_key, end_customer,"
        " country, products, first_invoice_date, last_invoice_date, line_count,"
        " amount_reporting, name_score FROM analytics_reconciliationfinding",
    }
    result = {}
    with connection.cursor() as cursor:
        for name, sql in tables.items():
            cursor.execute(sql)
            result[name] = sorted(cursor.fetchall(), key=repr)
    return result


def _full_rebuild() -> dict:
    services.refresh_all(partner_ids=None, deals=False)
    return _figures()


def _expected_months(files: list[list[dict]]) -> dict:
    """Quantity and amount per month, from the rows of the files still imported."""
    result = defaultdict(lambda: [0, Decimal(0)])
    for rows in files:
        for row in rows:
            month = date.fromisoformat(row["Invoice Date"]).replace(day=1)
            result[month][0] += int(row["Quantity"])
            result[month][1] += Decimal(row["Unit Price"]) * int(row["Quantity"])
    return {month: tuple(v) for month, v in result.items()}


def _summarised_months(partner) -> dict:
    result = defaultdict(lambda: [0, Decimal(0)])
    for row in SalesMonth.objects.filter(partner=partner):
        result[row.month][0] += row.quantity
        result[row.month][1] += row.amount
    return {month: tuple(v) for month, v in result.items()}


def _product_row_ids(partner, month: date) -> set[int]:
    return set(
        SalesMonthProduct.objects.filter(partner=partner, month=month).values_list("id", flat=True)
    )


JUL, AUG, SEP, OCT, NOV = (date(2026, m, 1) for m in (7, 8, 9, 10, 11))


def test_a_refresh_after_imports_re_imports_and_deletions_equals_a_full_rebuild(
    sample_partners, tmp_path, cast
):
    northwind, mueller = sample_partners["northwind"], sample_partners["mueller"]
    first = _report(tmp_path / "first.csv", "A", [JUL, AUG, SEP])
    second = _report(tmp_path / "second.csv", "B", [AUG, OCT])
    other = _report(tmp_path / "other.csv", "C", [AUG, SEP])
    upload_first = report_import(partner=northwind, path=tmp_path / "first.csv")
    upload_second = report_import(partner=northwind, path=tmp_path / "second.csv")
    report_import(partner=mueller, path=tmp_path / "other.csv")
    assert upload_first.lines == upload_second.lines == len(first)
    services.refresh_all(partner_ids=None, deals=False)
    assert _summarised_months(northwind) == _expected_months([first, second])
    assert not SalesChangedMonth.objects.exists()  # a full rebuild covers every change

    # A new import: September and November change, nothing else is rewritten.
    third = _report(tmp_path / "third.csv", "D", [SEP, NOV], customers=slice(0, 40))
    october_rows = _product_row_ids(northwind, OCT)
    report_import(partner=northwind, path=tmp_path / "third.csv")
    assert set(
        SalesChangedMonth.objects.filter(partner_id=northwind.pk).values_list("month", flat=True)
    ) == {SEP, NOV}
    _refresh_as_the_import_task_does(northwind)
    assert _product_row_ids(northwind, OCT) == october_rows
    assert not SalesChangedMonth.objects.exists()
    assert _summarised_months(northwind) == _expected_months([first, second, third])
    after_import = _figures()
    assert after_import == _full_rebuild()

    # The first report imported again without its July lines: July leaves the figures.
    stored = Upload.objects.get(pk=upload_first.upload)
    first_without_july = [row for row in first if not row["Invoice Date"].startswith("2026-07")]
    write(Path(stored.file.path), first_without_july)
    upload_reprocess(user=cast.vendor_admin, upload_id=stored.pk)
    upload_process(upload_id=stored.pk)  # what the queued task runs
    assert set(
        SalesChangedMonth.objects.filter(partner_id=northwind.pk).values_list("month", flat=True)
    ) == {JUL, AUG, SEP}
    _refresh_as_the_import_task_does(northwind)
    assert JUL not in _summarised_months(northwind)
    assert _summarised_months(northwind) == _expected_months([first_without_july, second, third])
    after_re_import = _figures()
    assert after_re_import == _full_rebuild()

    # The second upload deleted (its lines go with it): August and October change.
    Upload.objects.filter(pk=upload_second.upload).delete()
    _refresh_as_the_import_task_does(northwind)
    assert _summarised_months(northwind) == _expected_months([first_without_july, third])
    assert _summarised_months(mueller) == _expected_months([other])
    after_deletion = _figures()
    assert after_deletion == _full_rebuild()
    assert after_deletion["findings"]  # reconciliation ran and is compared too


def test_a_partner_moved_to_another_cm_is_summarised_in_full_by_the_next_import(
    sample_partners, tmp_path, cast
):
    northwind = sample_partners["northwind"]
    _report(tmp_path / "first.csv", "A", [JUL, AUG])
    report_import(partner=northwind, path=tmp_path / "first.csv")
    services.refresh_all(partner_ids=None, deals=False)
    # Reassigned without the partner's own refresh (a bulk update): its July rows would
    # keep the old CM if only August were rebuilt.
    type(northwind).objects.filter(pk=northwind.pk).update(channel_manager=cast.cm_b)
    _report(tmp_path / "second.csv", "B", [AUG], customers=slice(0, 10))
    report_import(partner=northwind, path=tmp_path / "second.csv")
    _refresh_as_the_import_task_does(northwind)
    cms = set(
        SalesMonthProduct.objects.filter(partner=northwind).values_list(
            "channel_manager_id", flat=True
        )
    )
    assert cms == {cast.cm_b.pk}
    after_import = _figures()
    assert after_import == _full_rebuild()


def test_an_import_queues_a_refresh_of_its_changed_months_only(
    sample_partners, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    northwind = sample_partners["northwind"]
    _report(tmp_path / "first.csv", "A", [JUL])
    queued = []
    monkeypatch.setattr(tasks.refresh_summaries, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        report_import(partner=northwind, path=tmp_path / "first.csv")
    assert {
        "partner_ids": [northwind.pk],
        "sales": True,
        "deals": False,
        "changed_months_only": True,
    } in queued


def test_a_repeat_counted_after_all_reaches_the_figures_of_its_month(
    sample_partners, tmp_path, cast
):
    from reporting.quality.duplicates import release
    from reporting.quality.models import HeldLine

    northwind = sample_partners["northwind"]
    rows = _report(tmp_path / "first.csv", "R", [SEP, OCT])
    write(tmp_path / "doubled.csv", [*rows, rows[1]])  # rows[1] (October) twice: held
    result = report_import(partner=northwind, path=tmp_path / "doubled.csv")
    services.refresh_all(partner_ids=None, deals=False)
    assert _summarised_months(northwind) == _expected_months([rows])
    held = HeldLine.objects.get(upload_id=result.upload)

    release(upload=Upload.objects.get(pk=result.upload), source_rows=[held.source_row],
            user=cast.vendor_admin)  # fmt: skip

    assert set(
        SalesChangedMonth.objects.filter(partner_id=northwind.pk).values_list("month", flat=True)
    ) == {OCT}
    _refresh_as_the_import_task_does(northwind)
    assert _summarised_months(northwind) == _expected_months([rows, [rows[1]]])
    assert _figures() == _full_rebuild()
