"""The worker's refresh of a partner's figures racing a deletion of that partner.

A new partner's save queues a refresh (reporting/analytics/hooks.py); a vendor admin who
deletes the partner a moment later (the admin's delete, the bulk action) must not get an
error, and the worker must not fail or leave rows behind. Each side runs in its own thread
and connection on committed rows; the refresh's transaction is held open so the deletion
meets it at a known point, not by chance.
"""

import threading
import time
import uuid

from django.db import connection, transaction
from django_tenants.utils import schema_context

from partners.models import Partner
from reporting.analytics import services
from reporting.analytics.models import RollupPartner
from reporting.analytics.tasks import refresh_summaries


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
