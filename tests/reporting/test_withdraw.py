"""Withdrawing a report: the upload, its lines and its file go; the figures and the
reconciliation findings of its months follow; outsiders get 404; a report being
imported is refused at once, without waiting for the import.

Imports run through the real pipeline (`report_import`); the refresh is the task the
withdrawal queues, run here as the worker would.
"""

from datetime import date

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from prm.accounts.services import api_key_create
from prm.core.extensions import registry
from reporting import services
from reporting.analytics import services as analytics
from reporting.analytics import tasks
from reporting.analytics.models import ReconciliationFinding
from reporting.models import SalesLine, Upload, UploadStatus, UploadWithdrawal
from reporting.services import report_import
from tests.api.support import with_key
from tests.conftest import TenantClient, host_of
from tests.reporting.test_refresh_after_import import (
    _expected_months,
    _figures,
    _full_rebuild,
    _report,
    _summarised_months,
    write,
)
from tests.reporting.uploads import done_upload, sales_line

JUL, AUG, SEP = (date(2026, m, 1) for m in (7, 8, 9))


def _withdraw_url(upload_id: int) -> str:
    return reverse("reporting:withdraw", args=[upload_id])


def _two_reports(tmp_path, partner, uploaded_by):
    """A right report (July, August) and a wrong one (August, September) whose end
    customers appear nowhere else, both imported and summarised and reconciled in full."""
    kept = _report(tmp_path / "kept.csv", "K", [JUL, AUG])
    wrong = [
        row | {"End Customer": f"Wrong {row['End Customer']}"}
        for row in _report(tmp_path / "wrong.csv", "W", [AUG, SEP])
    ]
    write(tmp_path / "wrong.csv", wrong)
    report_import(partner=partner, path=tmp_path / "kept.csv", uploaded_by=uploaded_by)
    summary = report_import(partner=partner, path=tmp_path / "wrong.csv", uploaded_by=uploaded_by)
    assert summary.status == UploadStatus.DONE and summary.lines == len(wrong)
    analytics.refresh_all(partner_ids=None, deals=False)
    return kept, wrong, Upload.objects.get(pk=summary.upload)


def _wrong_findings(partner) -> int:
    return ReconciliationFinding.objects.filter(
        partner=partner, end_customer__startswith="Wrong "
    ).count()


def test_a_partner_admin_withdraws_their_report_and_the_figures_and_findings_follow(
    sample_partners, tmp_path, cast, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    partner = cast.partner_a
    kept, wrong, upload = _two_reports(tmp_path, partner, cast.partner_a_admin)
    other = done_upload(cast.partner_b, cast.partner_b_admin)
    assert _summarised_months(partner) == _expected_months([kept, wrong])
    assert _wrong_findings(partner)
    stored = upload.file.name
    assert default_storage.exists(stored)
    client = client_for(cast.partner_a_admin)

    page = client.get(_withdraw_url(upload.pk))

    assert page.status_code == 200
    text = page.content.decode()
    assert "wrong.csv" in text
    assert f'data-testid="withdraw-lines">{len(wrong)}<' in text
    assert "August 2026, September 2026" in text
    assert "reconciliation findings" in text
    assert Upload.objects.filter(pk=upload.pk).exists(), "a GET changes nothing"

    queued = []
    monkeypatch.setattr(tasks.refresh_summaries, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        # Forged fields name partner B and its upload: only the URL's upload is read.
        response = client.post(
            _withdraw_url(upload.pk),
            {"confirm": "1", "partner": cast.partner_b.pk, "upload": other.pk, "pk": other.pk},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:uploads")
    assert not Upload.objects.filter(pk=upload.pk).exists()
    assert not SalesLine.objects.filter(upload_id=upload.pk).exists()
    assert not default_storage.exists(stored), "the file goes once the withdrawal commits"
    assert Upload.objects.filter(pk=other.pk).exists()
    assert queued == [
        {"partner_ids": [partner.pk], "sales": True, "deals": False, "changed_months_only": True}
    ]

    tasks.refresh_summaries(**queued[0])  # what the worker runs

    # The months as the right file's rows add up, September gone with the wrong file.
    assert _summarised_months(partner) == _expected_months([kept])
    assert SEP not in _summarised_months(partner)
    assert _wrong_findings(partner) == 0
    after = _figures()
    assert after == _full_rebuild()
    assert after["findings"]

    record = UploadWithdrawal.objects.get(upload_id=upload.pk)
    assert (record.partner, record.withdrawn_by, record.original_name) == (
        partner,
        cast.partner_a_admin,
        "wrong.csv",
    )
    assert (record.line_count, record.months) == (len(wrong), ["2026-08", "2026-09"])
    # The partner's CM sees who withdrew what on the partner's page.
    cm_page = client_for(cast.cm_a).get(reverse("partners:detail", args=[partner.pk]))
    section = cm_page.content.decode().split('data-testid="partner-withdrawals"')[1]
    assert "wrong.csv" in section and cast.partner_a_admin.get_short_name() in section


def test_the_file_stays_when_the_withdrawal_fails(
    sample_partners, tmp_path, cast, django_capture_on_commit_callbacks, monkeypatch
):
    partner = cast.partner_a
    _kept, wrong, upload = _two_reports(tmp_path, partner, cast.partner_a_admin)
    stored = upload.file.name

    def failing_hook(partner_ids, added_months):
        raise RuntimeError("the refresh could not be queued")

    monkeypatch.setattr(registry, "sales_changed_hooks", lambda: [failing_hook])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.upload_withdraw(user=cast.partner_a_admin, upload_id=upload.pk)

    assert default_storage.exists(stored)
    assert Upload.objects.filter(pk=upload.pk).exists()
    assert SalesLine.objects.filter(upload_id=upload.pk).count() == len(wrong)
    assert not UploadWithdrawal.objects.filter(upload_id=upload.pk).exists()


def _a_report_of_partner_a(cast) -> Upload:
    upload = done_upload(cast.partner_a, cast.partner_a_admin)
    SalesLine.objects.bulk_create([sales_line(upload, currency="USD")])
    return upload


@pytest.mark.parametrize("outsider", ["partner_b_admin", "cm_b"])
def test_it_answers_404_to_another_partners_users_and_cm(cast, acme, client_for, outsider):
    upload = _a_report_of_partner_a(cast)
    client = client_for(getattr(cast, outsider))

    assert client.get(_withdraw_url(upload.pk)).status_code == 404
    assert client.post(_withdraw_url(upload.pk), {"confirm": "1"}).status_code == 404

    assert Upload.objects.filter(pk=upload.pk).exists()
    assert SalesLine.objects.filter(upload_id=upload.pk).count() == 1


def test_the_api_withdraws_as_the_page_does(cast, acme, django_capture_on_commit_callbacks):
    mine, theirs = _a_report_of_partner_a(cast), done_upload(cast.partner_b, cast.partner_b_admin)
    _row, key = api_key_create(user=cast.partner_a_admin, name="withdraw")
    client = with_key(TenantClient(host_of(cast.acme)), key)

    assert client.delete(f"/api/v1/uploads/{theirs.pk}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/v1/uploads/{mine.pk}/").status_code == 204
    assert not Upload.objects.filter(pk=mine.pk).exists()
    assert not SalesLine.objects.filter(upload_id=mine.pk).exists()
    assert Upload.objects.filter(pk=theirs.pk).exists()
    assert UploadWithdrawal.objects.get(upload_id=mine.pk).withdrawn_by == cast.partner_a_admin


def test_a_queued_report_is_refused_with_a_message(cast, acme, client_for):
    upload = _a_report_of_partner_a(cast)
    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.QUEUED)
    client = client_for(cast.partner_a_admin)

    response = client.post(_withdraw_url(upload.pk), {"confirm": "1"})

    assert response.status_code == 200
    assert "being imported; you can withdraw it when it has finished" in response.content.decode()
    assert SalesLine.objects.filter(upload_id=upload.pk).count() == 1


def test_no_import_mail_goes_for_a_report_withdrawn_before_it_was_sent(cast, acme, mailoutbox):
    from reporting.notifications import import_done

    upload = _a_report_of_partner_a(cast)
    services.upload_withdraw(user=cast.partner_a_admin, upload_id=upload.pk)

    import_done(upload.pk)  # the task queued when the import committed, run late

    assert mailoutbox == []


def test_the_same_sales_sent_again_count_once_the_first_report_is_withdrawn(
    sample_partners, tmp_path, cast, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    """The second report repeats the first (held out of the figures as repeats), and
    sells one line twice itself. Withdrawing the first puts the second's lines in the
    figures, the line it repeats itself once."""
    from reporting.quality.models import HeldLine

    partner = cast.partner_a
    rows = _report(tmp_path / "first.csv", "R", [AUG, SEP])
    write(tmp_path / "again.csv", [*rows, rows[1]])
    first = report_import(partner=partner, path=tmp_path / "first.csv")
    again = report_import(partner=partner, path=tmp_path / "again.csv")
    assert again.lines == 0  # every line repeats the first report's
    analytics.refresh_all(partner_ids=None, deals=False)
    assert _summarised_months(partner) == _expected_months([rows])
    queued = []
    monkeypatch.setattr(tasks.refresh_summaries, "delay", lambda **kwargs: queued.append(kwargs))
    client = client_for(cast.partner_a_admin)
    page = client.get(_withdraw_url(first.upload)).content.decode()
    assert f"{len(rows) + 1} lines of your other reports repeat this report" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_withdraw_url(first.upload), {"confirm": "1"})

    assert SalesLine.objects.filter(upload_id=again.upload).count() == len(rows)
    assert Upload.objects.get(pk=again.upload).line_count == len(rows)
    still_held = HeldLine.objects.get(upload_id=again.upload)
    assert (still_held.source_row, still_held.duplicate_of_id) == (len(rows) + 2, again.upload)
    tasks.refresh_summaries(**queued[0])
    assert _summarised_months(partner) == _expected_months([rows])
    assert _figures() == _full_rebuild()
