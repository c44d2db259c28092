"""The pages a partner admin and a CM use: held duplicates on the upload page, the
reporting calendar with what to fix, nothing sold, the overdue queue, the leaderboard."""

import datetime as dt

from django.urls import reverse

from channels.queue import work_queue
from partners.models import Partner
from reporting.analytics.services import refresh_sales_summaries
from reporting.models import Upload
from reporting.quality.cadence import add_business_days, parse_month
from reporting.quality.models import HeldLine, NothingSold, PartnerPeriodQuality
from reporting.quality.services import scores_refresh, upload_measure
from reporting.services import report_import
from tests.ingest.support import SAMPLES

NORTHWIND = SAMPLES / "northwind_pos_2026-09.csv"


def _doubled(tmp_path):
    text = NORTHWIND.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "northwind_doubled.csv"
    path.write_text("\n".join([*text, text[1], text[2]]) + "\n", encoding="utf-8")
    return path


def test_it_lists_held_lines_on_the_upload_page_and_counts_a_confirmed_repeat(
    sample_partners, tmp_path, client_for, cast
):
    northwind = sample_partners["northwind"]
    upload = Upload.objects.get(pk=report_import(partner=northwind, path=_doubled(tmp_path)).upload)
    upload_measure(upload_id=upload.pk)
    client = client_for(cast.cm_a)  # northwind's CM in the fixture

    page = client.get(reverse("reporting:detail", kwargs={"pk": upload.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="held-line"') == 2
    assert "2 lines were already reported and are not counted" in html
    assert '<dd data-testid="duplicate-count">2</dd>' in html
    assert "<dd>2026-09</dd>" in html, "months covered"

    answer = client.post(reverse("quality:repeats", kwargs={"pk": upload.pk}), {"rows": ["95"]})
    assert answer.status_code == 302
    assert list(HeldLine.objects.filter(upload=upload).values_list("source_row", flat=True)) == [96]
    upload.refresh_from_db()
    assert upload.line_count == 94


def test_it_refuses_to_confirm_rows_that_are_not_held(sample_partners, tmp_path, client_for, cast):
    northwind = sample_partners["northwind"]
    upload = Upload.objects.get(pk=report_import(partner=northwind, path=_doubled(tmp_path)).upload)

    client_for(cast.cm_a).post(
        reverse("quality:repeats", kwargs={"pk": upload.pk}), {"rows": ["3"]}
    )

    assert HeldLine.objects.filter(upload=upload).count() == 2
    assert upload.lines.count() == 93


def _joined_long_ago(partner: Partner) -> None:
    Partner.objects.filter(pk=partner.pk).update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))


def test_it_puts_overdue_reports_in_the_cm_queue_until_nothing_sold_is_declared(
    acme, cast, client_for
):
    _joined_long_ago(cast.partner_a)
    items = [i for i in work_queue(cast.cm_a, limit=100) if "Ardent" in i.title]
    assert items, "partner A has sent no report since it joined"
    assert not [i for i in work_queue(cast.cm_b, limit=100) if "Ardent" in i.title]
    oldest = min(items, key=lambda item: item.waiting_since)
    period = oldest.title.split(": ")[1]

    answer = client_for(cast.partner_a_admin).post(
        reverse("quality:nothing_sold", kwargs={"pk": cast.partner_a.pk}),
        {"period_start": f"{period}-01"},
    )

    assert answer.status_code == 302
    assert NothingSold.objects.filter(partner=cast.partner_a).count() == 1
    left = [i.title for i in work_queue(cast.cm_a, limit=100) if "Ardent" in i.title]
    assert oldest.title not in left and len(left) == len(items) - 1


def test_it_shows_the_partner_admin_what_to_fix(sample_partners, client_for, cast, tmp_path):
    northwind = sample_partners["northwind"]
    report_import(partner=northwind, path=_doubled(tmp_path))
    refresh_sales_summaries(partner_ids=[northwind.pk])
    september = parse_month("2026-09")
    scores_refresh(months=2, today=add_business_days(september.end, 12))
    from partners.memberships import partner_user_create
    from prm.accounts.models import Role

    admin = partner_user_create(
        email="admin@northwind.example", role=Role.PARTNER_ADMIN, partner=northwind
    )

    page = client_for(admin).get(reverse("quality:partner", kwargs={"pk": northwind.pk}))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="quality-month"' in html
    assert "2 lines had already been reported" in html
    assert "end customer we could not link" in html


def test_it_shows_the_calendar_on_the_partner_page_and_what_to_fix_on_the_portal(
    acme, cast, client_for
):
    _joined_long_ago(cast.partner_a)
    scores_refresh(months=3)

    page = client_for(cast.cm_a).get(reverse("partners:detail", kwargs={"pk": cast.partner_a.pk}))
    html = page.content.decode()
    assert 'data-testid="partner-calendar"' in html and "days overdue" in html

    portal = client_for(cast.partner_a_admin).get(reverse("portal:home")).content.decode()
    assert 'data-testid="quality-reasons"' in portal
    assert "No report received yet" in portal
    rep = client_for(cast.rep_a1).get(reverse("portal:home")).content.decode()
    assert 'data-testid="data-quality"' not in rep, "reports are the partner admin's business"


def test_it_lets_the_vendor_admin_set_the_programme_default_and_a_cm_override_a_partner(
    acme, cast, client_for
):
    from reporting.quality.cadence import cadences_for

    form = {"frequency": "weekly", "due_business_days": 3, "remind_days_before": 1}
    client_for(cast.vendor_admin).post(
        reverse("quality:programme_cadence"), {**form, "repeat_every_days": 2}
    )
    client_for(cast.cm_a).post(
        reverse("quality:cadence", kwargs={"pk": cast.partner_a.pk}),
        {**form, "frequency": "monthly", "due_business_days": 5, "repeat_every_days": 7},
    )
    refused = client_for(cast.cm_b).post(
        reverse("quality:cadence", kwargs={"pk": cast.partner_a.pk}),
        {**form, "repeat_every_days": 1},
    )

    own = cadences_for([cast.partner_a, cast.partner_b])
    assert (own[cast.partner_a.pk].frequency, own[cast.partner_a.pk].due_business_days) == (
        "monthly",
        5,
    )
    assert (own[cast.partner_b.pk].frequency, own[cast.partner_b.pk].repeat_every_days) == (
        "weekly",
        2,
    )
    assert refused.status_code == 404


def test_it_shows_the_score_on_the_leaderboard_and_the_scorecard(
    sample_partners, client_for, cast, tmp_path
):
    northwind = sample_partners["northwind"]
    report_import(partner=northwind, path=_doubled(tmp_path))
    refresh_sales_summaries(partner_ids=[northwind.pk])
    september = parse_month("2026-09")
    scores_refresh(months=2, today=add_business_days(september.end, 12))
    stored = PartnerPeriodQuality.objects.get(partner=northwind, month=september.start)
    client = client_for(cast.vendor_admin)

    board = client.get(reverse("analytics:leaderboard"), {"start": "2026-09", "end": "2026-09"})
    card = client.get(reverse("analytics:scorecard", kwargs={"pk": northwind.pk}))

    assert 'data-testid="leader-quality" title="' in board.content.decode()
    assert f">{stored.score}</span>" in board.content.decode()
    assert f'data-testid="quality-score">{stored.score}</strong>' in card.content.decode()
    assert 0 < stored.score < 100
