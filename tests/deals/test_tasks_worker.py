"""The scheduled deal jobs on a real Celery worker, in the schema that queued them."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from deals import services
from deals.models import Deal, DealEvent, DealStatus, Notification
from deals.tasks import expire_due_deals, send_expiry_reminders
from tests.deals.committed import committed_deal, purge_deals

pytestmark = pytest.mark.worker


@pytest.fixture
def created(django_db_blocker, cast):
    ids: list[int] = []
    with django_db_blocker.unblock():
        yield ids
        purge_deals(ids)


def _approved(cast, customer, *, protected_until):
    deal = committed_deal(cast.rep_a1, customer)
    with schema_context("acme"):
        deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)
        Deal.objects.filter(pk=deal.pk).update(protected_until=protected_until)
    return deal


def test_it_expires_ended_protection_on_the_worker(celery_worker, cast, django_db_blocker, created):
    today = timezone.localdate()
    with django_db_blocker.unblock():
        ended = _approved(
            cast, "Expired Protection Corp", protected_until=today - timedelta(days=1)
        )
        running = _approved(cast, "Running Protection Corp", protected_until=today)
        created.extend([ended.pk, running.pk])

        with schema_context("acme"):
            expired_count = expire_due_deals.delay().get(timeout=60)
            again = expire_due_deals.delay().get(timeout=60)

        assert expired_count >= 1
        assert again == 0, "a second run finds nothing left to do"
        with schema_context("acme"):
            assert Deal.objects.get(pk=ended.pk).status == DealStatus.EXPIRED
            assert Deal.objects.get(pk=running.pk).status == DealStatus.APPROVED
            event = DealEvent.objects.filter(deal_id=ended.pk).latest("pk")
            assert (event.kind, event.actor_id, event.to_status) == ("expired", None, "expired")
            assert Notification.objects.filter(deal_id=ended.pk, kind="expired").exists()


def test_it_sends_the_14_day_reminder_once_and_emails_it(
    celery_worker, cast, django_db_blocker, created, smtp_sink
):
    smtp_sink.start()
    today = timezone.localdate()
    with django_db_blocker.unblock():
        deal = _approved(cast, "Reminder Due Corp", protected_until=today + timedelta(days=10))
        created.append(deal.pk)

        with schema_context("acme"):
            first = send_expiry_reminders.delay().get(timeout=60)
            second = send_expiry_reminders.delay().get(timeout=60)

        assert first >= 1 and second == 0
        with schema_context("acme"):
            reminder = Notification.objects.get(deal_id=deal.pk, kind="expiry_reminder")
            assert reminder.recipient == cast.rep_a1
            deadline = time.monotonic() + 30
            while reminder.emailed_at is None and time.monotonic() < deadline:
                time.sleep(0.2)
                reminder.refresh_from_db()
            assert reminder.emailed_at is not None, "the e-mail task ran on the worker"
        # One e-mail, linking to the deal's page on the vendor's host.
        link = re.compile(rf"http://acme\.localhost(:\d+)?/deals/{deal.pk}/")
        mails = [
            m
            for m in smtp_sink.wait_for(cast.rep_a1.email)
            if link.search(m.get_content()) and m["Subject"].startswith("Protection ends soon")
        ]
        assert len(mails) == 1
