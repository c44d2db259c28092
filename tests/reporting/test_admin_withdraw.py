"""Deleting uploads in the vendor's Django admin withdraws them as the "Withdraw" page
does (`services.upload_withdraw`): lines, file, record, the refresh of their months; an
upload being imported is left with a warning, the others of the same action go.

The held import on a real worker is in test_admin_withdraw_worker.py.
"""

from django.contrib.admin.models import DELETION, LogEntry
from django.core.files.storage import default_storage

from partners.models import Partner
from reporting.analytics import tasks
from reporting.models import SalesLine, Upload, UploadStatus, UploadWithdrawal
from tests.reporting.test_refresh_after_import import (
    _expected_months,
    _figures,
    _full_rebuild,
    _summarised_months,
)
from tests.reporting.test_withdraw import _a_report_of_partner_a, _two_reports, _wrong_findings
from tests.reporting.uploads import done_upload

UPLOADS = "/admin/reporting/upload/"


def test_deleting_an_upload_in_the_admin_withdraws_it_and_the_figures_follow(
    sample_partners, tmp_path, cast, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    partner = cast.partner_a
    kept, wrong, upload = _two_reports(tmp_path, partner, cast.partner_a_admin)
    assert _wrong_findings(partner)
    stored = upload.file.name
    assert default_storage.exists(stored)
    admin = client_for(cast.vendor_admin)

    page = admin.get(f"{UPLOADS}{upload.pk}/delete/")

    assert page.status_code == 200
    assert "Are you sure" in page.content.decode(), "the admin's usual confirmation"
    queued = []
    monkeypatch.setattr(tasks.refresh_summaries, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"{UPLOADS}{upload.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Upload.objects.filter(pk=upload.pk).exists()
    assert not SalesLine.objects.filter(upload_id=upload.pk).exists()
    assert not default_storage.exists(stored), "the file goes with the upload"
    record = UploadWithdrawal.objects.get(upload_id=upload.pk)
    assert (record.withdrawn_by, record.original_name, record.line_count) == (
        cast.vendor_admin,
        "wrong.csv",
        len(wrong),
    )
    assert LogEntry.objects.filter(object_id=str(upload.pk), action_flag=DELETION).exists()
    assert queued == [
        {"partner_ids": [partner.pk], "sales": True, "deals": False, "changed_months_only": True}
    ]

    tasks.refresh_summaries(**queued[0])  # what the worker runs

    assert _summarised_months(partner) == _expected_months([kept])
    assert _wrong_findings(partner) == 0
    assert _figures() == _full_rebuild()


def test_delete_selected_leaves_an_upload_being_imported_and_withdraws_the_others(
    cast, acme, client_for, django_capture_on_commit_callbacks
):
    first, queued, last = (_a_report_of_partner_a(cast) for _ in range(3))
    for upload, name in ((first, "first.csv"), (queued, "queued.csv"), (last, "last.csv")):
        Upload.objects.filter(pk=upload.pk).update(original_name=name)
    Upload.objects.filter(pk=queued.pk).update(status=UploadStatus.QUEUED)
    admin = client_for(cast.vendor_admin)
    chosen = {"action": "delete_selected", "_selected_action": [first.pk, queued.pk, last.pk]}

    confirmation = admin.post(UPLOADS, chosen)

    assert confirmation.status_code == 200
    assert "Are you sure" in confirmation.content.decode()
    assert Upload.objects.filter(pk__in=[first.pk, queued.pk, last.pk]).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(UPLOADS, chosen | {"post": "yes"}, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    name = f"“queued.csv ({cast.partner_a.name})”"
    assert f"{name} was not deleted: This report is being imported" in text
    assert "Deleted 2 report uploads" in text
    assert Upload.objects.filter(pk=queued.pk).exists()
    assert SalesLine.objects.filter(upload_id=queued.pk).count() == 1
    assert not UploadWithdrawal.objects.filter(upload_id=queued.pk).exists()
    assert not LogEntry.objects.filter(object_id=str(queued.pk), action_flag=DELETION).exists()
    for gone in (first, last):
        assert not Upload.objects.filter(pk=gone.pk).exists()
        assert not SalesLine.objects.filter(upload_id=gone.pk).exists()
        assert not default_storage.exists(gone.file.name)
        assert UploadWithdrawal.objects.get(upload_id=gone.pk).withdrawn_by == cast.vendor_admin


def test_the_change_pages_delete_of_an_upload_being_imported_warns_and_keeps_it(
    cast, acme, client_for
):
    upload = _a_report_of_partner_a(cast)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.PROCESSING)
    admin = client_for(cast.vendor_admin)

    response = admin.post(f"{UPLOADS}{upload.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"{UPLOADS}{upload.pk}/change/"
    assert "was not deleted: This report is being imported" in response.content.decode()
    assert SalesLine.objects.filter(upload_id=upload.pk).count() == 1
    assert default_storage.exists(upload.file.name)
    assert not LogEntry.objects.filter(object_id=str(upload.pk), action_flag=DELETION).exists()


def test_a_partner_with_uploads_cannot_be_deleted_in_the_admin(cast, acme, client_for):
    """Uploads PROTECT their partner: the admin refuses, so nothing bypasses the
    withdrawal through a cascade (files and figures stay as they are)."""
    partner = Partner.objects.create(name="Sent By Mistake", slug="sent-by-mistake")
    upload = done_upload(partner, cast.vendor_admin)
    admin = client_for(cast.vendor_admin)
    url = f"/admin/partners/partner/{partner.pk}/delete/"

    page = admin.get(url).content.decode()
    response = admin.post(url, {"post": "yes"})

    assert "Cannot delete" in page and "lines.csv" in page
    assert response.status_code == 200
    assert Partner.objects.filter(pk=partner.pk).exists()
    assert Upload.objects.filter(pk=upload.pk).exists()
    assert default_storage.exists(upload.file.name)


def test_a_staff_account_outside_the_uploads_scope_gets_a_message_not_a_deletion(
    cast, acme, client_for
):
    """The admin does not widen what a role may withdraw: a CM someone made staff (and
    superuser) in the users' admin still withdraws only their own partners' reports."""
    upload = _a_report_of_partner_a(cast)
    User = type(cast.cm_b)
    User.objects.filter(pk=cast.cm_b.pk).update(is_staff=True, is_superuser=True)
    admin = client_for(User.objects.get(pk=cast.cm_b.pk))
    chosen = {"action": "delete_selected", "_selected_action": [upload.pk], "post": "yes"}

    response = admin.post(UPLOADS, chosen, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "was not deleted: it is not among the reports you may see" in text
    assert SalesLine.objects.filter(upload_id=upload.pk).count() == 1
