"""Every shared sample through the real pipeline: import_report, then export_sales.

After loading products.csv and sku_aliases.csv, each sample must import with no manual
mapping and `export_sales` must reproduce its expected/ lines exactly.
"""

import io
import json

import pytest
from django.core.management import call_command

from reporting.models import SalesLine, Upload, UploadStatus
from reporting.selectors import source_rows_of
from tests.ingest.support import SAMPLES

SAMPLES_BY_PARTNER = {
    "northwind": "northwind_pos_2026-09.csv",
    "mueller": "mueller_verkauf_2026-09.csv",
    "saigon": "saigon_doanhso_2026-09.xlsx",
    "lonestar": "lonestar_sales_sep.txt",
}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("slug", sorted(SAMPLES_BY_PARTNER))
def test_it_imports_each_sample_and_exports_exactly_the_expected_lines(sample_partners, slug):
    name = SAMPLES_BY_PARTNER[slug]
    summary = json.loads(
        run("import_report", "--schema", "acme", "--partner", slug, str(SAMPLES / name))
    )
    assert summary["status"] == "done", summary
    assert summary["error_rows"] == 0
    exported = run("export_sales", "--schema", "acme", "--partner", slug)
    expected = (SAMPLES / "expected" / f"{name}.csv").read_text(encoding="utf-8")
    assert exported.splitlines() == expected.splitlines()


def test_it_prints_a_summary_a_person_can_read(sample_partners):
    summary = json.loads(
        run(
            "import_report",
            "--schema",
            "acme",
            "--partner",
            "saigon",
            str(SAMPLES / "saigon_doanhso_2026-09.xlsx"),
        )
    )
    assert summary["lines"] == 64 and summary["skipped"] == 1
    assert summary["file"]["file_format"] == "xlsx" and summary["file"]["header_row"] == 4
    assert summary["mapping"]["Thành tiền (VND)"] == "amount"


def test_it_keeps_source_rows_and_returns_and_traces_a_line_to_its_row(sample_partners):
    run(
        "import_report",
        "--schema",
        "acme",
        "--partner",
        "lonestar",
        str(SAMPLES / "lonestar_sales_sep.txt"),
    )
    line = SalesLine.objects.get(invoice_number="LON-2609-1117")
    assert (line.source_row, line.transaction_type, line.quantity) == (15, "return", -2)
    assert source_rows_of(line.upload, [line.source_row]) == {
        15: "9/7/2026\tLON-2609-1117\tSummit & Vale Schools\tLS-0017\t-2\t($46.56)"
    }
    assert str(line.amount) == "-46.56" and line.partner_sku == "LS-0017"


def test_it_refuses_the_same_file_twice_for_a_partner(sample_partners):
    path = str(SAMPLES / "northwind_pos_2026-09.csv")
    run("import_report", "--schema", "acme", "--partner", "northwind", path)
    with pytest.raises(Exception, match="already imported"):
        run("import_report", "--schema", "acme", "--partner", "northwind", path)
    assert Upload.objects.filter(partner__slug="northwind").count() == 1


def test_it_exports_all_partners_in_one_file_with_one_header(sample_partners):
    for slug in ("northwind", "mueller"):
        run(
            "import_report",
            "--schema",
            "acme",
            "--partner",
            slug,
            str(SAMPLES / SAMPLES_BY_PARTNER[slug]),
        )
    lines = run("export_sales", "--schema", "acme").splitlines()
    assert lines[0].startswith("partner,invoice_number,invoice_date")
    assert sum(1 for line in lines if line.startswith("partner,")) == 1
    assert len(lines) == 1 + 93 + 91
    assert lines[1].startswith("mueller,") and lines[-1].startswith("northwind,")


def test_it_replaces_lines_when_an_upload_is_processed_again(sample_partners):
    from reporting import services

    run(
        "import_report",
        "--schema",
        "acme",
        "--partner",
        "mueller",
        str(SAMPLES / SAMPLES_BY_PARTNER["mueller"]),
    )
    upload = Upload.objects.get(partner__slug="mueller")
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.QUEUED)
    services.upload_process(upload_id=upload.pk)
    assert SalesLine.objects.filter(upload=upload).count() == 91
    assert upload.runs.count() == 2


def test_it_deletes_an_uploads_lines_with_it_whoever_deletes_it(sample_partners):
    from django.db import connection

    for slug in ("northwind", "mueller"):
        run(
            "import_report",
            "--schema",
            "acme",
            "--partner",
            slug,
            str(SAMPLES / SAMPLES_BY_PARTNER[slug]),
        )
    gone = Upload.objects.get(partner__slug="northwind")
    with connection.cursor() as cursor:  # not through the ORM, which deletes lines itself
        cursor.execute("DELETE FROM reporting_importrun WHERE upload_id = %s", [gone.pk])
        cursor.execute("DELETE FROM reporting_uploaderror WHERE upload_id = %s", [gone.pk])
        cursor.execute("DELETE FROM reporting_upload WHERE id = %s", [gone.pk])
    assert not SalesLine.objects.filter(upload_id=gone.pk).exists()
    assert SalesLine.objects.filter(partner__slug="mueller").count() == 91
