"""Workbooks with real typed cells through the real pipeline, and what gets stored.

PostgreSQL refuses NUL in text and jsonb: every profile, sample and error row a file
can produce is stored here through the real models, for every file of the corpora.
"""

import io
import json
import tempfile
import time

import psutil
import pytest
from django.core.management import call_command

from reporting.ingest import UploadRefused, check_upload, isolated, normalise, propose_mapping
from reporting.ingest.isolated import check_upload_isolated
from reporting.models import Upload, UploadError
from tests.ingest.support import SAMPLES, catalogue
from tests.ingest.workbooks import NORTHWIND, northwind_xlsx, typed_cells_xlsx
from tests.reporting.hostile import CASES, build, sparse_under_the_limit


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_imports_the_northwind_xlsx_with_date_cells_through_import_report(
    sample_partners, tmp_path
):
    path = northwind_xlsx(tmp_path / "northwind_pos_2026-09.xlsx")
    summary = json.loads(
        run("import_report", "--schema", "acme", "--partner", "northwind", str(path))
    )
    assert (summary["status"], summary["lines"], summary["error_rows"]) == ("done", 93, 0)
    exported = run("export_sales", "--schema", "acme", "--partner", "northwind")
    expected = (SAMPLES / "expected" / f"{NORTHWIND}.csv").read_text(encoding="utf-8")
    assert exported.splitlines() == expected.splitlines()
    upload = Upload.objects.get()
    assert upload.file_info["columns"][1]["date"]["example"] == "2026-09-01"


def _corpus(directory):
    """Every small file we have: the samples, the typed-cell workbooks, the hostile corpus."""
    yield from (SAMPLES / name for name in sorted(p.name for p in SAMPLES.iterdir()))
    yield northwind_xlsx(directory / "northwind.xlsx")
    yield typed_cells_xlsx(directory / "typed.xlsx")
    yield typed_cells_xlsx(directory / "typed1904.xlsx", date_1904=True)
    for case in CASES:
        if case.web:  # the small ones
            path = build(case, directory)
            yield path.rename(path.with_name(f"{case.id}-{case.filename.rsplit('/', 1)[-1]}"))


def test_it_stores_the_profile_samples_and_errors_of_every_corpus_file(cast, acme, tmp_path):
    skus = catalogue() | {"RP-SW"}
    stored = 0
    for number, path in enumerate(_corpus(tmp_path)):
        try:
            check = check_upload(path, path.name, 50 << 20)
        except UploadRefused:
            continue
        proposal = propose_mapping(check.info, known_vendor_skus=skus)
        upload = Upload.objects.create(
            partner=cast.partner_a,
            original_name=path.name[:255],
            file=f"reports/test/{number}",
            size=check.size,
            sha256=f"{number:064x}",  # the corpus holds the same bytes under two names
            file_info=check.info.to_dict(),
            proposal=proposal.to_dict(),
        )
        chunk = None
        if proposal.certain:
            chunk = next(
                normalise(path, check.info, proposal, partner_slug="a", default_currency="EUR",
                          vendor_skus=skus, date_order="dmy"),
                None,
            )  # fmt: skip
        if chunk is not None and chunk.errors.height:
            UploadError.objects.bulk_create(
                UploadError(upload=upload, **row) for row in chunk.errors.head(50).to_dicts()
            )
        upload.refresh_from_db()  # what PostgreSQL kept
        assert "\\u0000" not in json.dumps(upload.file_info), path.name
        assert "\\u0000" not in json.dumps(upload.proposal), path.name
        stored += 1
    assert stored >= 15


def test_it_fails_a_file_whose_reading_runs_out_of_memory_with_a_message(tmp_path):
    # Whatever runs out of memory in the child (here the address space is too small for
    # the parsers to load at all; a crafted sheet past the guard does the same), the
    # caller gets a refusal it can show, and carries on itself.
    path = tmp_path / "under.xlsx"
    sparse_under_the_limit(path)
    with pytest.raises(UploadRefused) as refused:
        check_upload_isolated(path, "under.xlsx", 50 << 20, memory_limit=256 << 20)
    assert refused.value.code == "too_much_memory"
    assert "more memory than any sales report" in str(refused.value)
    assert check_upload_isolated(path, "under.xlsx", 50 << 20).info.headers[0] == "Invoice No"


def test_it_fails_a_file_that_takes_longer_than_the_time_limit(tmp_path):
    path = northwind_xlsx(tmp_path / "slow.xlsx")
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        check_upload_isolated(path, "slow.xlsx", 50 << 20, time_limit=0.05)
    assert refused.value.code == "too_slow"
    assert time.monotonic() - started < 5  # the child was killed, not waited for


@pytest.fixture
def spare():
    """A spare checking process started in advance, as a worker keeps one."""
    isolated.start_spare(wait=True)
    yield isolated.spare_pid()
    isolated.stop_spare()


def _ended(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_spare_checking_process_reads_one_file_within_its_limits(spare, tmp_path):
    path = tmp_path / "under.xlsx"
    sparse_under_the_limit(path)
    with pytest.raises(UploadRefused) as refused:
        check_upload_isolated(path, "under.xlsx", 50 << 20, memory_limit=256 << 20)
    assert refused.value.code == "too_much_memory"
    assert _ended(spare), "the spare read that file and ended"
    assert isolated.spare_pid() is None, "the next one starts after the import, not during it"

    isolated.replace_spare()
    assert isolated.spare_pid() not in (None, spare)
    northwind = northwind_xlsx(tmp_path / "northwind.xlsx")
    confined = check_upload_isolated(northwind, "northwind.xlsx", 50 << 20)
    assert (
        confined.info.to_dict()
        == check_upload(northwind, "northwind.xlsx", 50 << 20).info.to_dict()
    )


def test_a_spare_checking_process_is_stopped_at_the_time_limit(spare, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the check's folder goes
    path = northwind_xlsx(tmp_path / "slow.xlsx")
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        check_upload_isolated(path, "slow.xlsx", 50 << 20, time_limit=0.05)
    assert refused.value.code == "too_slow"
    assert time.monotonic() - started < 5
    assert _ended(spare)
    assert not list(scratch.iterdir()), "the killed check's working folder is removed"


def test_a_dead_spare_is_not_used(spare, tmp_path):
    psutil.Process(spare).kill()
    psutil.Process(spare).wait(timeout=5)
    path = northwind_xlsx(tmp_path / "northwind.xlsx")
    confined = check_upload_isolated(path, "northwind.xlsx", 50 << 20)
    assert confined.info.to_dict() == check_upload(path, "northwind.xlsx", 50 << 20).info.to_dict()


def test_the_confined_check_gives_what_the_plain_one_gives(tmp_path):
    path = northwind_xlsx(tmp_path / "northwind.xlsx")
    confined = check_upload_isolated(path, "northwind.xlsx", 50 << 20)
    plain = check_upload(path, "northwind.xlsx", 50 << 20)
    assert confined.info.to_dict() == plain.info.to_dict()
    assert confined.sha256 == plain.sha256
