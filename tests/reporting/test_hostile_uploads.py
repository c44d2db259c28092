"""Hostile uploads: every file of the corpus (hostile.py) ends in a message a partner can
act on, within a memory and a time limit, and leaves nothing half-stored.

Two views of each file:
- the worker's parsing path in a confined child process (RLIMIT_AS, wall time): no crash,
  no OOM, no timeout, the expected refusal or import, and the upload name never used as
  a path;
- the small ones end to end on acme: the real upload view and `upload_process`.
"""

import html
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deals.models import Product
from reporting import services
from reporting.forms import UploadForm
from reporting.models import SalesLine, Upload, UploadError, UploadStatus
from tests.reporting.hostile import (
    CASES,
    GOOD,
    MEMORY_LIMIT,
    SKU,
    build,
    run_isolated,
    sized,
)

WEB_CASES = [case for case in CASES if case.web]
# Refusals the upload request itself gives (extension, size, first bytes); every other
# refusal comes from the worker's confined child, as the upload's failed job.
ON_ARRIVAL = {
    "extension",
    "empty",
    "too_large",
    "binary_as_text",
    "not_a_workbook",
    "encrypted_workbook",
}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """The whole corpus, generated once per session (removed by pytest)."""
    directory = tmp_path_factory.mktemp("hostile")
    for case in CASES:
        build(case, directory)
    return directory


@pytest.fixture(scope="session")
def isolated(corpus):
    """Each file in its own confined child, two at a time (the machine has two cores);
    each test waits for its own file's result."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {
            case.id: pool.submit(
                run_isolated,
                build(case, corpus),
                case.filename,
                case.max_bytes,
                time_limit=case.seconds,
            )
            for case in CASES
        }


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_it_ends_each_hostile_file_with_a_clear_outcome_within_limits(case, corpus, isolated):
    result = isolated[case.id].result()

    assert result.outcome not in ("crashed", "timeout"), (
        f"{result.outcome} ({result.exit}) after {result.seconds}s at {result.peak_mb} MB\n"
        f"{result.stderr}"
    )
    assert (result.outcome, result.code) == (case.outcome, case.code), result.message
    for words in case.says:
        assert words in result.message
    if case.lines is not None:
        assert result.lines == case.lines
    if "warning" in case.extra:
        assert any(case.extra["warning"] in warning for warning in result.warnings)
    if "customer" in case.extra:  # cp1252 read as cp1252, not cp1250 ("ñ" stays "ñ")
        assert result.sample["end_customer"] == case.extra["customer"]
    assert result.peak_mb < MEMORY_LIMIT / (1 << 20)
    # The children run in the corpus folder: a name used as a path would leave a file.
    assert sorted(os.listdir(corpus)) == sorted(build(other, corpus).name for other in CASES)


# --- end to end on acme ----------------------------------------------------------------


@pytest.fixture
def catalogue(acme):
    Product.objects.create(vendor_sku=SKU, name=SKU, list_price=10)


def post(client, name: str, content: bytes, **data):
    """Upload as a browser does: the HTML standard escapes CR, LF and quotes in the file
    name of a multipart body (the test client would otherwise break its own headers)."""
    name = name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")
    return client.post(
        reverse("reporting:upload"), {"file": SimpleUploadedFile(name, content), **data}
    )


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.parametrize("case", WEB_CASES, ids=[case.id for case in WEB_CASES])
def test_it_answers_each_small_hostile_upload_on_the_page_and_stores_nothing_half(
    case, corpus, cast, catalogue, client_for, private_media
):
    content = build(case, corpus).read_bytes()
    type(cast.acme).objects.filter(pk=cast.acme.pk).update(max_upload_mb=case.max_bytes >> 20)
    response = post(client_for(cast.partner_a_admin), case.filename, content)

    if case.outcome == "refused" and response.status_code == 200:
        # Refused while the request is answered: only what the first bytes show.
        assert case.code in ON_ARRIVAL, case.code
        page = html.unescape(response.content.decode())
        for words in case.says:
            assert words in page
        assert Upload.objects.count() == 0
        assert stored_files(private_media) == []
        return

    assert response.status_code == 302, html.unescape(response.content.decode())[:2000]
    upload = Upload.objects.get()
    # Stored under a generated name in the tenant's folder; the client's name is a label.
    assert upload.file.name.startswith(f"reports/{cast.partner_a.pk}/")
    assert Path(upload.file.name).stem.isalnum() and len(Path(upload.file.name).stem) == 32
    assert [path.parent.parent.name for path in stored_files(private_media)] == ["reports"]
    assert not any(char in upload.original_name for char in "/\\\x00\r\n\x07")

    upload = services.upload_process(upload_id=upload.pk)
    if case.outcome == "refused":
        # Anything that needs the file parsed is refused by the job, never by the request.
        assert case.code not in ("extension", "empty", "too_large", "not_a_workbook")
        assert upload.status == UploadStatus.FAILED
        for words in case.says:
            assert words in upload.message
        assert upload.file_info == {} and SalesLine.objects.count() == 0
        return
    if case.outcome == "failed":
        assert upload.status == UploadStatus.FAILED
        for words in case.says:
            assert words in upload.message
        # Rows read before the bad one were COPYed, then rolled back with the rest.
        assert SalesLine.objects.filter(upload=upload).count() == 0
        assert UploadError.objects.filter(upload=upload).count() == 0
        assert upload.line_count == 0
    else:
        assert upload.status == UploadStatus.DONE, upload.message
        assert SalesLine.objects.filter(upload=upload).count() == case.lines
        if "customer" in case.extra:
            customers = set(SalesLine.objects.values_list("end_customer", flat=True))
            assert customers == {case.extra["customer"]}


def test_it_keeps_formula_text_as_data_and_neutralises_it_in_exports(
    corpus, cast, catalogue, client_for
):
    from reporting.analytics.exports import safe_text

    case = next(case for case in CASES if case.id == "csv-formula-injection")
    post(client_for(cast.partner_a_admin), case.filename, build(case, corpus).read_bytes())
    upload = services.upload_process(upload_id=Upload.objects.get().pk)
    customers = list(SalesLine.objects.filter(upload=upload).values_list("end_customer", flat=True))
    assert "=cmd|' /C calc'!A0" in customers  # stored as the partner wrote it
    dangerous = [value for value in customers if value[:1] in "=+-@"]
    assert dangerous and all(safe_text(value).startswith("'") for value in dangerous)


def test_it_refuses_a_file_over_the_tenants_limit_while_it_arrives_and_takes_one_at_it(
    cast, catalogue, client_for, private_media
):
    type(cast.acme).objects.filter(pk=cast.acme.pk).update(max_upload_mb=1)
    client = client_for(cast.partner_a_admin)
    path = private_media.parent / "limit.csv"

    sized((1 << 20) + 1)(path)
    response = post(client, "just-over.csv", path.read_bytes())
    assert response.status_code == 200
    assert "the limit is 1 MB" in html.unescape(response.content.decode())
    assert Upload.objects.count() == 0
    assert stored_files(private_media) == []

    sized(1 << 20)(path)
    response = post(client, "at-limit.csv", path.read_bytes())
    assert response.status_code == 302
    assert Upload.objects.get().size == 1 << 20


def test_the_upload_form_itself_refuses_a_file_over_the_limit(cast, acme):
    """Even without the streaming handler of the view (another caller, a refactor)."""
    type(acme).objects.filter(pk=acme.pk).update(max_upload_mb=1)
    acme.refresh_from_db()
    over = SimpleUploadedFile("big.csv", GOOD.encode() + b"#" * (1 << 20))
    form = UploadForm({}, {"file": over}, user=cast.partner_a_admin)
    assert not form.is_valid()
    assert "the limit is 1 MB" in " ".join(form.errors["file"])
    fits = SimpleUploadedFile("ok.csv", GOOD.encode())
    assert UploadForm({}, {"file": fits}, user=cast.partner_a_admin).is_valid()


# --- the sheet-extent scan on its own ---------------------------------------------------

FAR = "XFD1048576"
SHEET_BODIES = {
    "reference first": (f'<c r="{FAR}"><v>1</v></c>', "sheet_too_large"),
    "reference after the style": (f'<c s="0" r="{FAR}"><v>1</v></c>', "sheet_too_large"),
    "namespace prefix": (f'<x:c r="{FAR}"><x:v>1</x:v></x:c>', "sheet_too_large"),
    "inline string": (f'<c r="{FAR}" t="inlineStr"><is><t>x</t></is></c>', "sheet_too_large"),
    "styled empty cell (calamine skips it)": (f'<c r="{FAR}" s="1"/>', None),
    "a cell near the table": ('<c r="H3"><v>1</v></c>', None),
}


@pytest.mark.parametrize("block_size", [7, 1 << 20])
@pytest.mark.parametrize("body", sorted(SHEET_BODIES))
def test_the_extent_scan_sees_far_value_cells_however_written_and_cut(body, block_size):
    from reporting.ingest import UploadRefused
    from reporting.ingest.extent import XlsxSheetExtent

    cell, code = SHEET_BODIES[body]
    xml = (
        '<?xml version="1.0"?><worksheet xmlns:x="urn:x"><sheetData><row r="1">'
        '<c r="A1" t="s"><v>0</v></c><c r="B1"><v>2</v></c></row>'
        f'<row r="1048576">{cell}</row></sheetData></worksheet>'
    ).encode()
    extent = XlsxSheetExtent()
    try:
        for start in range(0, len(xml), block_size):
            extent.feed(xml[start : start + block_size])
        refused = None
    except UploadRefused as error:
        refused = error.code
    assert refused == code
