"""Reminders of missing reports on a real Celery worker, and the beat entry that runs them."""

import datetime as dt

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from partners.memberships import partner_user_create
from partners.models import Partner
from prm.accounts.models import Role, User
from reporting.quality.cadence import add_business_days, parse_month
from reporting.quality.models import NothingSold, ReportingCadence, ReportReminder
from reporting.quality.tasks import send_report_reminders

pytestmark = pytest.mark.worker

SEPTEMBER = parse_month("2026-09")
DUE = add_business_days(SEPTEMBER.end, 10)


@pytest.fixture
def late_partner(django_db_blocker, cast):
    """A committed partner owing September 2026 with a Vietnamese-speaking admin."""
    with django_db_blocker.unblock(), schema_context("acme"):
        partner = Partner.objects.create(
            name="Chậm Trễ Distribution", slug="cham-tre-reminders", country="VN"
        )
        Partner.objects.filter(pk=partner.pk).update(
            created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        )
        ReportingCadence.objects.create(partner=partner, due_business_days=10)
        admin = partner_user_create(
            email="lan@cham-tre.example",
            role=Role.PARTNER_ADMIN,
            full_name="Lan",
            partner=partner,
            language="vi",
        )
    try:
        yield partner
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            ReportReminder.objects.filter(partner=partner).delete()
            NothingSold.objects.filter(partner=partner).delete()
            User.objects.filter(pk=admin.pk).delete()
            partner.delete()


def _run(day: dt.date) -> int:
    with schema_context("acme"):
        return send_report_reminders.delay(day.isoformat()).get(timeout=60)


def _reminders(partner) -> list[tuple[str, dt.date]]:
    with schema_context("acme"):
        return list(
            ReportReminder.objects.filter(partner=partner, period_start=SEPTEMBER.start)
            .order_by("sent_on")
            .values_list("stage", "sent_on")
        )


def test_it_reminds_before_on_and_after_the_due_day_once_each(
    celery_worker, django_db_blocker, late_partner
):
    with django_db_blocker.unblock():
        _run(DUE - dt.timedelta(days=5))
        assert _reminders(late_partner) == [], "too early"
        days = [
            DUE - dt.timedelta(days=3),
            DUE - dt.timedelta(days=2),
            DUE,
            DUE,
            DUE + dt.timedelta(days=1),
            DUE + dt.timedelta(days=3),
            DUE + dt.timedelta(days=4),
            DUE + dt.timedelta(days=6),
        ]
        for day in days:
            _run(day)
        assert _reminders(late_partner) == [
            ("before", DUE - dt.timedelta(days=3)),
            ("due", DUE),
            ("overdue", DUE + dt.timedelta(days=3)),
            ("overdue", DUE + dt.timedelta(days=6)),
        ]
        with schema_context("acme"):
            reminder = ReportReminder.objects.filter(
                partner=late_partner, period_start=SEPTEMBER.start, stage="overdue"
            ).first()
        assert reminder.recipients == ["lan@cham-tre.example"]
        assert reminder.subjects == ["Báo cáo doanh số kỳ 2026-09 của bạn đã quá hạn"]


def test_it_stops_once_the_partner_declares_nothing_sold(
    celery_worker, django_db_blocker, late_partner
):
    with django_db_blocker.unblock():
        with schema_context("acme"):
            NothingSold.objects.create(
                partner=late_partner, frequency="monthly", period_start=SEPTEMBER.start
            )
        _run(DUE + dt.timedelta(days=3))
        assert _reminders(late_partner) == []


def test_it_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["quality-report-reminders"]
    assert entry["task"] == send_report_reminders.name
    assert entry["schedule"] <= 24 * 60 * 60, "at least daily"
    assert "tenant_schemas" not in entry, "runs in every vendor schema"
