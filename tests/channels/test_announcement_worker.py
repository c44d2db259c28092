"""The announcement e-mail task runs on a real worker, in the tenant that queued it, once.

The worker is another process, so the announcement is committed (and removed after).
"""

import time
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from channels.models import Announcement, AnnouncementRecipient
from channels.tasks import email_announcement

pytestmark = pytest.mark.worker


@pytest.fixture
def committed_announcement(cast, django_db_blocker):
    with django_db_blocker.unblock(), schema_context("acme"):
        announcement = Announcement.objects.create(
            title=f"Worker news {uuid.uuid4().hex[:8]}", body="Hello", author=cast.cm_a
        )
        AnnouncementRecipient.objects.create(announcement=announcement, partner=cast.partner_a)
    try:
        yield announcement
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            announcement.delete()
            connection.close()


def test_it_emails_the_partners_users_on_the_worker_once(
    cast, committed_announcement, celery_worker, smtp_sink, django_db_blocker
):
    smtp_sink.start()
    with schema_context("acme"):
        first = email_announcement.delay(committed_announcement.pk)
    assert first.get(timeout=30) == 3  # partner A's admin and two reps
    with schema_context("acme"):
        again = email_announcement.delay(committed_announcement.pk)
    assert again.get(timeout=30) == 0
    title = committed_announcement.title
    for user in (cast.partner_a_admin, cast.rep_a1, cast.rep_a2):
        mails = smtp_sink.wait_for(user.email)
        assert [m["Subject"] for m in mails if title in m["Subject"]] != []
        assert "/portal/" in mails[-1].get_content()
    # Marked sent once the server took the messages, not before.
    deadline = time.monotonic() + 30
    emailed_at = None
    while emailed_at is None and time.monotonic() < deadline:
        with django_db_blocker.unblock(), schema_context("acme"):
            recipient = AnnouncementRecipient.objects.get(announcement=committed_announcement)
            emailed_at = recipient.emailed_at
            connection.close()
        time.sleep(0.2)
    assert emailed_at is not None
