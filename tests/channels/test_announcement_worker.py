"""The announcement e-mail task runs on a real worker, in the tenant that queued it, once.

The worker is another process, so the announcement is committed (and removed after).
"""

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
    committed_announcement, celery_worker, django_db_blocker
):
    with schema_context("acme"):
        first = email_announcement.delay(committed_announcement.pk)
    assert first.get(timeout=30) == 3  # partner A's admin and two reps
    with schema_context("acme"):
        again = email_announcement.delay(committed_announcement.pk)
    assert again.get(timeout=30) == 0
    with django_db_blocker.unblock(), schema_context("acme"):
        recipient = AnnouncementRecipient.objects.get(announcement=committed_announcement)
        assert recipient.emailed_at is not None
        connection.close()
