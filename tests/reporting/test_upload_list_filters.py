"""The report list's filters (partner, status, upload days in the user's time zone) and its
export: the file holds exactly the rows the filtered list shows, only uploads the user may
see."""

import csv
import io
import itertools
from datetime import UTC, datetime

import openpyxl
from django.core.files.base import ContentFile

from reporting.models import Upload, UploadStatus

_seq = itertools.count(1)


def make_upload(partner, *, at: datetime, status=UploadStatus.DONE, name=None) -> Upload:
    n = next(_seq)
    upload = Upload.objects.create(
        partner=partner,
        original_name=name or f"report-{n:03d}.csv",
        file=ContentFile(b"x", name=f"r{n}.csv"),
        size=1,
        sha256=f"{n:064d}",
        status=status,
        line_count=n,
    )
    Upload.objects.filter(pk=upload.pk).update(created_at=at)  # auto_now_add ignores a value
    return upload


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _listed(client, params) -> list[str]:
    names, page = [], 1
    while True:
        response = client.get("/reports/", {**params, "page": page})
        assert response.status_code == 200
        names += [u.original_name for u in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return names
        page += 1


def test_staff_filter_by_partner_status_and_days(cast, acme, client_for):
    march = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for day in range(1, 31):  # more than a page: 30 reports of partner A in March
        make_upload(cast.partner_a, at=march.replace(day=day))
    make_upload(cast.partner_a, at=march, status=UploadStatus.FAILED, name="failed.csv")
    make_upload(cast.partner_b, at=march, name="bergmann.csv")
    client = client_for(cast.vendor_admin)
    params = {
        "partner": cast.partner_a.pk,
        "status": "done",
        "uploaded_from": "2026-03-05",
        "uploaded_to": "2026-03-29",
    }

    listed = _listed(client, params)
    rows = _csv(client.get("/reports/export.csv", params))

    assert len(listed) == 25
    assert [row[0] for row in rows[1:]] == listed  # same rows, same order (newest first)
    assert rows[0][:3] == ["File", "Partner", "Uploaded"]
    assert {row[1] for row in rows[1:]} == {"Ardent Systems"}
    assert rows[1][2] == "2026-03-29T12:00:00"


def test_the_days_are_the_users_days(cast, acme, client_for):
    cast.vendor_admin.time_zone = "Asia/Ho_Chi_Minh"  # UTC+7
    cast.vendor_admin.save(update_fields=["time_zone"])
    # 20:00 UTC on 1 March is 03:00 on 2 March in Ho Chi Minh City.
    make_upload(cast.partner_a, at=datetime(2026, 3, 1, 20, tzinfo=UTC), name="late.csv")
    client = client_for(cast.vendor_admin)

    second = _listed(client, {"uploaded_from": "2026-03-02", "uploaded_to": "2026-03-02"})
    first = _listed(client, {"uploaded_from": "2026-03-01", "uploaded_to": "2026-03-01"})
    rows = _csv(client.get("/reports/export.csv", {"uploaded_from": "2026-03-02"}))

    assert (second, first) == (["late.csv"], [])
    assert rows[1][2] == "2026-03-02T03:00:00"  # the time the page shows


def test_a_cm_sees_and_exports_only_their_partners_reports(cast, acme, client_for):
    at = datetime(2026, 3, 10, tzinfo=UTC)
    make_upload(cast.partner_a, at=at, name="ardent.csv")
    make_upload(cast.partner_b, at=at, name="bergmann.csv")
    client = client_for(cast.cm_a)

    page = client.get("/reports/").content.decode()
    rows = _csv(client.get("/reports/export.csv"))
    foreign = _csv(client.get("/reports/export.csv", {"partner": cast.partner_b.pk}))

    assert [row[0] for row in rows[1:]] == ["ardent.csv"]
    assert foreign == [rows[0]]  # another CM's partner: nothing, not everything
    assert "Bergmann" not in page  # not even as a filter choice


def test_a_partner_admin_exports_their_own_reports_without_a_partner_column(cast, acme, client_for):
    at = datetime(2026, 3, 10, tzinfo=UTC)
    make_upload(cast.partner_a, at=at, name="ardent.csv")
    make_upload(cast.partner_b, at=at, name="bergmann.csv")
    client = client_for(cast.partner_b_admin)

    rows = _csv(client.get("/reports/export.csv", {"partner": cast.partner_a.pk}))
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/export.xlsx").content))

    assert rows[0][:2] == ["File", "Uploaded"]
    assert [row[0] for row in rows[1:]] == ["bergmann.csv"]
    assert [c.value for c in book.active[2]][0] == "bergmann.csv"
    assert client.get("/reports/export.pdf").status_code == 404
    assert client_for(cast.rep_b).get("/reports/export.csv").status_code == 403


def test_a_bad_date_is_dropped_alone_and_said(cast, acme, client_for):
    make_upload(cast.partner_a, at=datetime(2026, 3, 10, tzinfo=UTC), status=UploadStatus.FAILED)
    make_upload(cast.partner_a, at=datetime(2026, 3, 10, tzinfo=UTC))
    client = client_for(cast.vendor_admin)

    response = client.get("/reports/", {"uploaded_from": "9999-12", "status": "failed"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    assert "This filter is not applied." in response.content.decode()


def test_the_list_shows_upload_times_in_the_readers_zone_and_language(cast, acme, client_for):
    cast.vendor_admin.time_zone, cast.vendor_admin.language = "Asia/Ho_Chi_Minh", "vi"
    cast.vendor_admin.save(update_fields=["time_zone", "language"])
    make_upload(cast.partner_a, at=datetime(2026, 3, 1, 20, tzinfo=UTC), name="late.csv")

    page = client_for(cast.vendor_admin).get("/reports/").content.decode()

    assert "02/03/2026 03:00" in page
    assert "2026-03-01" not in page
