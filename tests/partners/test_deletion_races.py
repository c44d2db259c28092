"""The worker filing rows under a partner while someone deletes that partner.

A new partner's save queues a refresh of its figures (reporting/analytics/hooks.py), and
the nightly scores and the report reminders write rows for every active partner. A vendor
admin who deletes a partner meanwhile (the admin's delete, the bulk action) must not get an
error, and the worker must not fail or leave rows behind. Each side runs in its own thread
and connection on committed rows; one side's transaction is held open so the other meets
it at a known point, not by chance.
"""

import datetime as dt
import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from partners.memberships import partner_user_create
from partners.models import Partner
from prm.accounts.models import Role, User
from reporting.analytics import services
from reporting.analytics.models import RollupPartner
from reporting.analytics.tasks import refresh_summaries
from reporting.models import Upload
from reporting.quality import services as quality
from reporting.quality.cadence import add_business_days, parse_month
from reporting.quality.models import (
    PartnerPeriodQuality,
    ReportingCadence,
    ReportReminder,
    UploadQuality,
)
from reporting.quality.twotier import flag_two_tier


class Side(threading.Thread):
    """One connection to acme doing `work`; keeps its backend pid and what came of it."""

    def __init__(self, django_db_blocker, work):
        super().__init__(daemon=True)
        self.blocker, self.work = django_db_blocker, work
        self.pid: int | None = None
        self.outcome = "not finished"
        self.started_work = threading.Event()

    def run(self):
        try:
            with self.blocker.unblock():
                connection.set_schema("acme")
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self.pid = cursor.fetchone()[0]
                self.started_work.set()
                self.work()
                self.outcome = "done"
        except Exception as error:  # noqa: BLE001 - the assertions report it
            self.outcome = f"error: {error!r}"
        finally:
            self.started_work.set()
            connection.close()


def wait_until_waiting_on_a_lock(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited on a lock")


def new_partner(cast) -> Partner:
    tag = uuid.uuid4().hex[:8]
    with schema_context("acme"):
        return Partner.objects.create(
            name=f"Fleeting {tag}", slug=f"fleeting-{tag}", country="US", channel_manager=cast.cm_a
        )


def test_it_deletes_a_partner_while_the_worker_is_filing_its_figures(cast, django_db_blocker):
    with django_db_blocker.unblock():
        partner = new_partner(cast)
    filed, release = threading.Event(), threading.Event()

    def refresh_and_hold():
        with transaction.atomic():
            services.refresh_sales_summaries(partner_ids=[partner.pk])
            filed.set()
            release.wait(60)

    def delete():
        Partner.objects.get(pk=partner.pk).delete()

    refresher = Side(django_db_blocker, refresh_and_hold)
    deleter = Side(django_db_blocker, delete)
    try:
        refresher.start()
        assert filed.wait(30), refresher.outcome
        deleter.start()
        deleter.started_work.wait(30)
        with django_db_blocker.unblock():
            wait_until_waiting_on_a_lock(deleter.pid)  # the refresh holds the partner
        release.set()
        refresher.join(60)
        deleter.join(60)
        assert (refresher.outcome, deleter.outcome) == ("done", "done")
        with django_db_blocker.unblock(), schema_context("acme"):
            assert not Partner.objects.filter(pk=partner.pk).exists()
            assert not RollupPartner.objects.filter(partner_id=partner.pk).exists()
    finally:
        release.set()
        with django_db_blocker.unblock(), schema_context("acme"):
            Partner.objects.filter(pk=partner.pk).delete()
            connection.close()


def test_it_refreshes_nothing_for_a_partner_deleted_while_the_refresh_waited(
    cast, django_db_blocker
):
    with django_db_blocker.unblock():
        partner = new_partner(cast)
    deleted, release = threading.Event(), threading.Event()

    def delete_and_hold():
        with transaction.atomic():
            Partner.objects.filter(pk=partner.pk).delete()
            deleted.set()
            release.wait(60)

    def refresh():
        refresh_summaries(partner_ids=[partner.pk], deals=False)

    deleter = Side(django_db_blocker, delete_and_hold)
    refresher = Side(django_db_blocker, refresh)
    try:
        deleter.start()
        assert deleted.wait(30), deleter.outcome
        refresher.start()
        refresher.started_work.wait(30)
        with django_db_blocker.unblock():
            wait_until_waiting_on_a_lock(refresher.pid)  # the deletion holds the partner
        release.set()
        deleter.join(60)
        refresher.join(60)
        assert (deleter.outcome, refresher.outcome) == ("done", "done")
        with django_db_blocker.unblock(), schema_context("acme"):
            assert not RollupPartner.objects.filter(partner_id=partner.pk).exists()
    finally:
        release.set()
        with django_db_blocker.unblock(), schema_context("acme"):
            Partner.objects.filter(pk=partner.pk).delete()
            connection.close()


def test_it_refreshes_nothing_for_a_partner_deleted_before_the_task_ran(acme, cast):
    partner = Partner.objects.create(name="Gone Before", slug="gone-before", country="US")
    partner_id = partner.pk
    partner.delete()
    refresh_summaries(partner_ids=[partner_id])  # what the worker runs for the queued save
    assert not RollupPartner.objects.filter(partner_id=partner_id).exists()


def deleted_while_worker_waits(django_db_blocker, delete, work) -> tuple[str, str]:
    """Run ``delete`` in a transaction held open until ``work``, run on another
    connection, waits on it; then commit. Returns both outcomes."""
    deleted, release = threading.Event(), threading.Event()

    def delete_and_hold():
        with transaction.atomic():
            delete()
            deleted.set()
            release.wait(60)

    deleter = Side(django_db_blocker, delete_and_hold)
    worker = Side(django_db_blocker, work)
    try:
        deleter.start()
        assert deleted.wait(30), deleter.outcome
        worker.start()
        worker.started_work.wait(30)
        with django_db_blocker.unblock():
            wait_until_waiting_on_a_lock(worker.pid)
    finally:
        release.set()
        deleter.join(60)
        worker.join(60)
    return deleter.outcome, worker.outcome


def delete_partner_and_users(partner: Partner) -> None:
    User.objects.filter(membership__partner=partner).delete()
    Partner.objects.filter(pk=partner.pk).delete()


def test_it_scores_no_partner_deleted_while_the_scores_were_computed(cast, django_db_blocker):
    with django_db_blocker.unblock():
        partner = new_partner(cast)
    try:
        outcomes = deleted_while_worker_waits(
            django_db_blocker,
            lambda: delete_partner_and_users(partner),
            lambda: quality.scores_refresh(months=1, partner_ids=[partner.pk]),
        )
        assert outcomes == ("done", "done")
        with django_db_blocker.unblock(), schema_context("acme"):
            assert not PartnerPeriodQuality.objects.filter(partner_id=partner.pk).exists()
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            Partner.objects.filter(pk=partner.pk).delete()
            connection.close()


def test_it_reminds_no_partner_deleted_while_the_reminders_ran(cast, django_db_blocker):
    september = parse_month("2026-09")
    overdue = add_business_days(september.end, 10) + dt.timedelta(days=3)
    with django_db_blocker.unblock(), schema_context("acme"):
        partner = new_partner(cast)
        Partner.objects.filter(pk=partner.pk).update(
            created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        )
        ReportingCadence.objects.create(partner=partner, due_business_days=10)
        partner_user_create(
            email=f"admin@{partner.slug}.example", role=Role.PARTNER_ADMIN, partner=partner
        )
    try:
        outcomes = deleted_while_worker_waits(
            django_db_blocker,
            lambda: delete_partner_and_users(partner),
            lambda: quality.reminders_send(today=overdue),
        )
        assert outcomes == ("done", "done")
        with django_db_blocker.unblock(), schema_context("acme"):
            assert not ReportReminder.objects.filter(partner_id=partner.pk).exists()
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            ReportReminder.objects.filter(partner_id=partner.pk).delete()
            ReportingCadence.objects.filter(partner_id=partner.pk).delete()
            User.objects.filter(membership__partner_id=partner.pk).delete()
            Partner.objects.filter(pk=partner.pk).delete()
            connection.close()


@pytest.fixture
def committed_upload(cast, django_db_blocker):
    """An upload of partner A, committed, with no file behind it (nothing reads one)."""
    with django_db_blocker.unblock(), schema_context("acme"):
        upload = Upload.objects.create(
            partner=cast.partner_a,
            original_name="racing.csv",
            file="racing.csv",
            size=1,
            sha256=uuid.uuid4().hex * 2,
        )
    yield upload
    with django_db_blocker.unblock(), schema_context("acme"):
        Upload.objects.filter(pk=upload.pk).delete()
        connection.close()


@pytest.mark.parametrize(
    "after_import_step",
    [
        pytest.param(lambda upload_id: quality.upload_measure(upload_id=upload_id), id="measure"),
        pytest.param(flag_two_tier, id="two-tier"),
    ],
)
def test_it_files_nothing_under_an_upload_deleted_while_its_after_import_ran(
    django_db_blocker, committed_upload, after_import_step
):
    outcomes = deleted_while_worker_waits(
        django_db_blocker,
        lambda: Upload.objects.filter(pk=committed_upload.pk).delete(),
        lambda: after_import_step(committed_upload.pk),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not Upload.objects.filter(pk=committed_upload.pk).exists()
        assert not UploadQuality.objects.filter(upload_id=committed_upload.pk).exists()
