"""Report pages: upload, status, mapping, error report, re-processing, aliases, queue."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from deals.models import Product
from reporting import services
from reporting.models import (
    ColumnMapping,
    ImportRun,
    SalesLine,
    SkuAlias,
    Upload,
    UploadStatus,
)

GOOD = (
    "Invoice No,Invoice Date,SKU,Qty,Unit Price,Currency\n"
    "A-1,2026-09-01,RP-SW,2,10.00,USD\n"
    "A-2,2026-09-02,RP-AP,1,5.00,USD\n"
)
# Headers no dictionary knows: the partner has to say which column is which.
NEW_LAYOUT = "Beleg;Tag;Ding;Stk;Wert\nB-1;01.09.2026;RP-SW;2;20,00\nB-2;13.09.2026;RP-AP;1;5,00\n"


@pytest.fixture
def catalogue(acme):
    for sku in ("RP-SW", "RP-AP"):
        Product.objects.create(vendor_sku=sku, name=sku, list_price=10)


def upload(client, name: str, content: bytes | str, **data):
    body = content.encode() if isinstance(content, str) else content
    return client.post(
        reverse("reporting:upload"), {"file": SimpleUploadedFile(name, body), **data}
    )


def processed(response) -> Upload:
    upload = Upload.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[-1]))
    return services.upload_process(upload_id=upload.pk)


def test_it_receives_a_partner_admins_report_and_imports_it(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    response = upload(client, "september.csv", GOOD)
    assert response.status_code == 302
    stored = Upload.objects.get()
    assert (stored.partner, stored.uploaded_by, stored.status) == (
        cast.partner_a,
        cast.partner_a_admin,
        UploadStatus.QUEUED,
    )
    stored = services.upload_process(upload_id=stored.pk)
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page
    assert SalesLine.objects.filter(upload=stored).count() == 2


def test_it_says_which_column_the_invoice_dates_came_from(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    shipped = (
        "Order #,Ship Date,Customer,SKU,Qty,Price\n"
        "SO-1,09/01/2026,Acme,RP-SW,2,10.00\nSO-2,09/15/2026,Beta,RP-AP,1,5.00\n"
    )
    response = upload(client, "shipments.csv", shipped)
    done = processed(response)
    assert done.status == UploadStatus.DONE, done.message  # nobody was asked
    page = client.get(response.url).content.decode()
    assert "from the column “Ship Date”" in page
    assert "the file has no invoice date column; its only date is used" in page

    response = upload(client, "invoices.csv", GOOD)
    processed(response)
    page = client.get(response.url).content.decode()
    assert "from the column “Invoice Date”" in page
    assert "its only date is used" not in page


def test_it_stores_the_file_under_a_generated_name_in_the_tenants_folder(
    cast, catalogue, client_for, private_media
):
    upload(client_for(cast.partner_a_admin), "../../etc/passwd.csv", GOOD)
    stored = Upload.objects.get()
    assert stored.original_name == "passwd.csv"
    assert "passwd" not in stored.file.name
    assert (private_media / "acme" / stored.file.name).is_file()


def test_it_refuses_the_same_file_again_with_a_link_to_the_earlier_upload(
    cast, catalogue, client_for
):
    client = client_for(cast.partner_a_admin)
    upload(client, "one.csv", GOOD)
    earlier = Upload.objects.get()
    response = upload(client, "same-bytes-other-name.csv", GOOD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "This file was already uploaded" in page
    assert reverse("reporting:detail", args=[earlier.pk]) in page
    assert Upload.objects.count() == 1


def test_it_lets_a_cm_upload_on_behalf_of_their_partner_only(cast, catalogue, client_for):
    response = upload(client_for(cast.cm_a), "for-a.csv", GOOD, partner=cast.partner_a.pk)
    assert response.status_code == 302
    assert Upload.objects.get().partner == cast.partner_a
    refused = upload(
        client_for(cast.cm_b), "for-a-again.csv", GOOD + "\n", partner=cast.partner_a.pk
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert Upload.objects.count() == 1


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (120 << 20))
    return buffer.getvalue()


# Refused while the request is answered: the extension, the size and the first bytes.
REFUSED_ON_ARRIVAL = {
    "empty": ("empty.csv", b"", "The file is empty"),
    "program as xlsx": ("report.xlsx", b"MZ\x90\x00" + b"\x00" * 400, "a Windows program"),
    "wrong extension": ("report.pdf", GOOD.encode(), "are not accepted"),
}
# Refused once the worker has read the file (in a confined child): stored, then failed.
REFUSED_BY_THE_JOB = {
    "header only": ("header.csv", b"Invoice No,Date,SKU,Qty\n", "no sales rows under it"),
    "binary as csv": ("data.csv", bytes(range(256)) * 40, "is not a text file"),
    "zip bomb": ("bomb.xlsx", None, "far beyond any real report"),
    "nul bytes": (
        "nul.csv",
        GOOD.encode() * 50 + b"A-3,2026-09-03,RP\x00SW,1,1.00,USD\n",
        "NUL bytes",
    ),
    "10,000 columns": (
        "wide.csv",
        (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000) + "\n").encode(),
        "10000 columns",
    ),
    "ragged": (
        "ragged.csv",
        (
            "Invoice No,Invoice Date,SKU,Qty,Unit Price\n" + "A,2026-09-01,RP-SW,1,1,00,x\n" * 5
        ).encode(),
        "different number of values",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_ON_ARRIVAL))
def test_it_refuses_bad_files_with_a_clear_message_and_stores_nothing(
    case, cast, acme, client_for, private_media
):
    name, content, message = REFUSED_ON_ARRIVAL[case]
    response = upload(client_for(cast.partner_a_admin), name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Upload.objects.count() == 0
    assert not any(path.is_file() for path in private_media.rglob("*"))


@pytest.mark.parametrize("case", sorted(REFUSED_BY_THE_JOB))
def test_it_fails_the_job_of_a_file_it_cannot_read_with_a_clear_message(
    case, cast, acme, client_for
):
    name, content, message = REFUSED_BY_THE_JOB[case]
    content = _zip_bomb() if content is None else content
    client = client_for(cast.partner_a_admin)
    response = upload(client, name, content)
    assert response.status_code == 302  # answered at once: nothing parsed the file yet
    failed = processed(response)
    assert failed.status == UploadStatus.FAILED
    assert message in failed.message
    assert failed.file_info == {} and SalesLine.objects.count() == 0
    page = client.get(reverse("reporting:detail", args=[failed.pk])).content.decode()
    assert message in page.replace("&quot;", '"').replace("&#x27;", "'")


def test_it_refuses_a_file_over_the_vendors_limit_while_it_arrives(
    cast, acme, client_for, private_media
):
    type(acme).objects.filter(pk=acme.pk).update(max_upload_mb=1)
    big = GOOD + "A-9,2026-09-03,RP-SW,1,1.00,USD\n" * 70_000  # about 2 MB
    response = upload(client_for(cast.partner_a_admin), "big.csv", big)
    assert response.status_code == 200
    assert "the limit is 1 MB" in response.content.decode()
    assert Upload.objects.count() == 0
    assert not any(path.is_file() for path in private_media.rglob("*"))


def test_it_asks_for_a_new_layouts_columns_then_remembers_them(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    first = processed(upload(client, "neu.csv", NEW_LAYOUT))
    assert first.status == UploadStatus.NEEDS_MAPPING
    detail = client.get(reverse("reporting:detail", args=[first.pk])).content.decode()
    assert "Confirm the columns" in detail

    form = client.get(reverse("reporting:mapping", args=[first.pk])).content.decode()
    assert "Beleg" in form and "RP-SW" in form  # headers and sample values are shown
    fields = ["invoice_number", "invoice_date", "vendor_sku", "quantity", "amount"]
    response = client.post(
        reverse("reporting:mapping", args=[first.pk]),
        {"confirm": "1", **{f"column_{i}": field for i, field in enumerate(fields)}},
    )
    assert response.status_code == 302
    assert ColumnMapping.objects.get(partner=cast.partner_a).fields == fields
    first = services.upload_process(upload_id=first.pk)
    assert (first.status, first.line_count, first.error_rows) == (UploadStatus.DONE, 2, 0)
    assert SalesLine.objects.get(upload=first, invoice_number="B-1").amount == 20

    second = processed(upload(client, "neu-oktober.csv", NEW_LAYOUT.replace("B-", "C-")))
    assert second.status == UploadStatus.DONE  # same layout: nobody is asked again
    assert second.line_count == 2


def test_it_refuses_a_mapping_without_the_required_columns(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    pending = processed(upload(client, "neu.csv", NEW_LAYOUT))
    response = client.post(
        reverse("reporting:mapping", args=[pending.pk]),
        {"confirm": "1", **{f"column_{i}": "ignore" for i in range(5)}},
    )
    assert response.status_code == 200
    assert "invoice number" in response.content.decode()
    assert not ColumnMapping.objects.exists()


def test_it_asks_the_date_order_of_an_ambiguous_file(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    ambiguous = GOOD.replace("2026-09-01", "03/04/2026").replace("2026-09-02", "05/06/2026")
    pending = processed(upload(client, "ambiguous.csv", ambiguous))
    assert pending.status == UploadStatus.NEEDS_MAPPING
    fields = ["invoice_number", "invoice_date", "vendor_sku", "quantity", "unit_price", "currency"]
    data = {"confirm": "1", **{f"column_{i}": field for i, field in enumerate(fields)}}
    missing = client.post(reverse("reporting:mapping", args=[pending.pk]), data)
    assert "How are the dates written?" in missing.content.decode()
    client.post(reverse("reporting:mapping", args=[pending.pk]), {**data, "date_order": "dmy"})
    done = services.upload_process(upload_id=pending.pk)
    dates = sorted(SalesLine.objects.filter(upload=done).values_list("invoice_date", flat=True))
    assert [d.isoformat() for d in dates] == ["2026-04-03", "2026-06-05"]


def test_it_reprocesses_after_a_cm_adds_a_missing_alias(cast, catalogue, client_for):
    partner_csv = GOOD.replace("RP-AP", "OUR-77")
    client = client_for(cast.partner_a_admin)
    first = processed(upload(client, "aliases.csv", partner_csv))
    assert (first.line_count, first.error_rows) == (1, 1)
    error = first.errors.get()
    assert (error.source_row, error.column, error.value) == (3, "SKU", "OUR-77")

    cm = client_for(cast.cm_a)
    cm.post(
        reverse("reporting:aliases"),
        {
            "partner": cast.partner_a.pk,
            "partner_sku": "OUR-77",
            "product": Product.objects.get(vendor_sku="RP-AP").pk,
        },
    )
    assert SkuAlias.objects.get(partner=cast.partner_a).product.vendor_sku == "RP-AP"
    assert cm.post(reverse("reporting:reprocess", args=[first.pk])).status_code == 302
    again = services.upload_process(upload_id=first.pk)
    assert (again.line_count, again.error_rows, again.errors.count()) == (2, 0, 0)
    line = SalesLine.objects.get(upload=again, invoice_number="A-2")
    assert (line.vendor_sku, line.partner_sku) == ("RP-AP", "OUR-77")
    assert SalesLine.objects.filter(upload=again).count() == 2  # replaced, not added


def test_it_downloads_an_error_report_safe_for_spreadsheets(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    bad = GOOD.replace("RP-AP", "=HYPERLINK(1)")
    done = processed(upload(client, "formula.csv", bad))
    response = client.get(reverse("reporting:errors", args=[done.pk]))
    text = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Row,Column,Value,Problem"
    assert lines[1].startswith("3,SKU,'=HYPERLINK(1),")


def test_it_polls_progress_only_while_the_import_runs(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    upload(client, "progress.csv", GOOD)
    stored = Upload.objects.get()
    Upload.objects.filter(pk=stored.pk).update(status=UploadStatus.PROCESSING)
    run = ImportRun.objects.create(
        upload=stored, status=UploadStatus.PROCESSING, progress=0, started_at=timezone.now()
    )
    progress = reverse("reporting:progress", args=[stored.pk])
    detecting = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in detecting
    assert 'data-testid="progress-detect"' in detecting  # first step: reading the file
    assert "Finding the table and its columns." in detecting
    assert "<html" not in detecting  # only the status block

    Upload.objects.filter(pk=stored.pk).update(file_info={"headers": ["Invoice No"]})
    ImportRun.objects.filter(pk=run.pk).update(progress=40)
    running = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="40"' in running
    assert "progress-detect" not in running

    Upload.objects.filter(pk=stored.pk).update(status=UploadStatus.QUEUED, file_info={})
    services.upload_process(upload_id=stored.pk)
    finished = client.get(progress).content.decode()
    assert "hx-trigger" not in finished and 'data-status="done"' in finished


def test_it_puts_reports_that_need_attention_in_the_cms_queue(cast, catalogue, client_for):
    from channels.queue import work_queue

    pending = processed(upload(client_for(cast.partner_a_admin), "neu.csv", NEW_LAYOUT))
    titles = [item.title for item in work_queue(cast.cm_a)]
    assert f"{cast.partner_a.name}: neu.csv" in titles
    assert all("neu.csv" not in item.title for item in work_queue(cast.cm_b))
    assert pending.status == UploadStatus.NEEDS_MAPPING


def test_it_shows_partner_admins_only_their_own_reports(cast, catalogue, client_for):
    upload(client_for(cast.partner_a_admin), "a.csv", GOOD)
    upload(client_for(cast.partner_b_admin), "b.csv", GOOD.replace("A-", "Z-"))
    page = client_for(cast.partner_b_admin).get(reverse("reporting:uploads")).content.decode()
    assert "b.csv" in page and "a.csv" not in page


def test_it_lists_uploads_with_a_constant_number_of_queries(cast, catalogue, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.vendor_admin)
    for index in range(2):
        upload(client, f"r{index}.csv", GOOD + f"#{index}\n", partner=cast.partner_a.pk)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reporting:uploads"))
    for index in range(2, 12):
        upload(client, f"r{index}.csv", GOOD + f"#{index}\n", partner=cast.partner_a.pk)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("reporting:uploads"))
    assert len(re.findall(r'href="/reports/\d+/"', response.content.decode())) == 12
    assert len(many) == len(few)


def test_it_reads_a_file_again_in_the_encoding_a_person_picks(cast, catalogue, client_for):
    client = client_for(cast.partner_a_admin)
    latin = NEW_LAYOUT.replace("Ding", "Größe").encode("cp1252")
    pending = processed(upload(client, "latin.csv", latin))
    assert pending.file_info["encoding"] == "cp1252"
    client.post(
        reverse("reporting:mapping", args=[pending.pk]), {"reread": "1", "encoding": "cp1250"}
    )
    pending.refresh_from_db()
    assert pending.file_info["encoding"] == "cp1250"
    assert pending.status == UploadStatus.NEEDS_MAPPING


def test_it_lists_a_partners_latest_reports_on_its_page_for_staff(cast, catalogue, client_for):
    upload(client_for(cast.partner_a_admin), "on-the-partner-page.csv", GOOD)
    page = client_for(cast.cm_a).get(reverse("partners:detail", args=[cast.partner_a.pk]))
    assert "on-the-partner-page.csv" in page.content.decode()
    filtered = client_for(cast.cm_a).get(
        reverse("reporting:uploads") + f"?partner={cast.partner_b.pk}"
    )
    assert "on-the-partner-page.csv" not in filtered.content.decode()
