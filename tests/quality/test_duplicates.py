"""A line the partner already reported is held out of the figures, in any file format."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import openpyxl
from django.core.management import call_command

from reporting.analytics.models import SalesMonth
from reporting.analytics.services import refresh_sales_summaries
from reporting.models import SalesLine, Upload
from reporting.quality.models import HeldLine
from reporting.services import report_import
from tests.ingest.support import SAMPLES

NORTHWIND = SAMPLES / "northwind_pos_2026-09.csv"


def _rows() -> list[dict]:
    with NORTHWIND.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _as_xlsx(tmp_path, rows: list[dict]):
    """The same lines as a workbook a partner would export: real dates and numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "POS"
    headers = list(rows[0])
    sheet.append(headers)
    typed = {
        "Invoice Date": dt.date.fromisoformat,
        "Quantity": int,
        "Unit Price": float,
    }
    for row in rows:
        sheet.append([typed.get(h, str)(row[h]) if row[h] else None for h in headers])
    path = tmp_path / "northwind_september.xlsx"
    book.save(path)
    return path


def _september(partner) -> tuple[int, Decimal]:
    refresh_sales_summaries(partner_ids=[partner.pk])
    month = SalesMonth.objects.filter(partner=partner, month=dt.date(2026, 9, 1))
    return (
        sum(m.quantity for m in month),
        sum((m.amount for m in month), Decimal(0)),
    )


def _quality(slug: str) -> dict:
    out = io.StringIO()
    call_command("partner_data_quality", "--schema", "acme", "--period", "2026-09", stdout=out)
    return {row["partner"]: row for row in json.loads(out.getvalue())}[slug]


def test_it_holds_the_same_lines_sent_again_as_excel(sample_partners, tmp_path):
    northwind = sample_partners["northwind"]
    rows = _rows()
    expected_quantity = sum(int(r["Quantity"]) for r in rows)
    expected_amount = sum(Decimal(r["Unit Price"]) * int(r["Quantity"]) for r in rows)

    first = report_import(partner=northwind, path=NORTHWIND)
    assert first.status == "done" and first.lines == 93
    assert _september(northwind) == (expected_quantity, expected_amount)

    again = report_import(partner=northwind, path=_as_xlsx(tmp_path, rows))
    assert again.status == "done", again
    assert again.error_rows == 0 and again.lines == 0, "every line was a duplicate"

    assert _september(northwind) == (expected_quantity, expected_amount), "sales unchanged"
    assert SalesLine.objects.filter(partner=northwind).count() == 93
    xlsx = Upload.objects.get(pk=again.upload)
    assert xlsx.held_lines.count() == 93
    assert set(xlsx.held_lines.values_list("duplicate_of", flat=True)) == {first.upload}

    quality = _quality("northwind")
    assert quality["duplicate_rows"] == 93
    assert quality["rows"] == 186 and quality["rejected_rows"] == 0
    assert any(r["code"] == "duplicates" for r in quality["reasons"])


def test_it_holds_a_line_repeated_within_one_file_but_keeps_the_first(sample_partners, tmp_path):
    northwind = sample_partners["northwind"]
    text = NORTHWIND.read_text(encoding="utf-8").splitlines()
    doubled = tmp_path / "northwind_doubled.csv"
    doubled.write_text("\n".join([*text, text[1], text[2]]) + "\n", encoding="utf-8")

    result = report_import(partner=northwind, path=doubled)

    assert result.lines == 93
    held = list(HeldLine.objects.filter(partner=northwind).values_list("source_row", flat=True))
    assert held == [95, 96], "the repeats, not the first report of each line"


def test_it_counts_a_confirmed_repeat_and_remembers_it(sample_partners, tmp_path, cast):
    from reporting.quality.duplicates import release
    from reporting.services import upload_process

    northwind = sample_partners["northwind"]
    text = NORTHWIND.read_text(encoding="utf-8").splitlines()
    doubled = tmp_path / "northwind_doubled.csv"
    doubled.write_text("\n".join([*text, text[1]]) + "\n", encoding="utf-8")
    result = report_import(partner=northwind, path=doubled)
    upload = Upload.objects.get(pk=result.upload)

    assert release(upload=upload, source_rows=[95], user=cast.vendor_admin) == 1

    assert SalesLine.objects.filter(upload=upload).count() == 94
    assert not HeldLine.objects.filter(upload=upload).exists()
    upload_process(upload_id=upload.pk)
    assert SalesLine.objects.filter(upload=upload).count() == 94, "not held again"
    upload.refresh_from_db()
    assert upload.line_count == 94


def test_it_deletes_held_lines_with_their_upload_whoever_deletes_it(sample_partners, tmp_path):
    from django.db import connection

    northwind = sample_partners["northwind"]
    first = report_import(partner=northwind, path=NORTHWIND)
    again = report_import(partner=northwind, path=_as_xlsx(tmp_path, _rows()))
    assert HeldLine.objects.filter(upload_id=again.upload).count() == 93
    with connection.cursor() as cursor:  # not through the ORM, which cascades itself
        for table in ("reporting_importrun", "reporting_uploaderror"):
            cursor.execute(f"DELETE FROM {table} WHERE upload_id = ANY(%s)", [[first.upload]])
        cursor.execute("DELETE FROM reporting_upload WHERE id = %s", [first.upload])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    held = HeldLine.objects.filter(upload_id=again.upload)
    assert held.count() == 93 and not held.exclude(duplicate_of=None).exists()


def test_a_repeat_counted_after_a_later_import_still_goes_with_its_upload(
    sample_partners, tmp_path, cast
):
    """Readers find an upload's lines by its id range (the BRIN index on upload_id went):
    a held line counted after all gets a new id, after another import's lines, and the
    range must take it in; deleting the upload deletes it, and not the other's lines."""
    from reporting.quality.duplicates import release

    northwind = sample_partners["northwind"]
    text = NORTHWIND.read_text(encoding="utf-8").splitlines()
    doubled = tmp_path / "northwind_doubled.csv"
    doubled.write_text("\n".join([*text, text[1]]) + "\n", encoding="utf-8")
    first = Upload.objects.get(pk=report_import(partner=northwind, path=doubled).upload)
    other = tmp_path / "northwind_other.csv"  # other invoices: nothing held
    other.write_text("\n".join([text[0]] + [r.replace("NOR-", "OTH-") for r in text[1:4]]) + "\n")
    later = report_import(partner=northwind, path=other)
    later_lines = set(SalesLine.objects.filter(upload_id=later.upload).values_list("pk", flat=True))
    assert release(upload=first, source_rows=[95], user=cast.vendor_admin) == 1

    first.refresh_from_db()
    ids = list(SalesLine.objects.filter(upload=first).values_list("pk", flat=True))
    assert len(later_lines) == 3
    assert len(ids) == 94 and max(ids) > max(later_lines), "the counted line is newer"
    assert first.first_line_id <= min(ids) and max(ids) <= first.last_line_id
    first.delete()  # the ORM leaves the lines to the database's trigger, which uses the range
    assert not SalesLine.objects.filter(upload_id=first.pk).exists()
    assert set(SalesLine.objects.filter(upload_id=later.upload).values_list("pk", flat=True)) == (
        later_lines
    )
