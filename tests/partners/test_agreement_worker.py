"""The "please accept the new agreement" e-mails run on a real worker, once per version.

The worker is another process, so the version is committed (and removed after).
"""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from partners.models import AgreementVersion
from partners.tasks import email_agreement_published

pytestmark = pytest.mark.worker


@pytest.fixture
def committed_version(django_db_blocker):
    from prm.core.models import TaskRun

    with django_db_blocker.unblock(), schema_context("acme"):
        latest = AgreementVersion.objects.order_by("-number").first()
        version = AgreementVersion.objects.create(
            number=(latest.number + 1) if latest else 1, title="Worker terms", body="Terms"
        )
    try:
        yield version
    finally:
        with django_db_blocker.unblock(), schema_context("acme"):
            TaskRun.objects.filter(key=f"partners:agreement-published:{version.pk}").delete()
            version.delete()
            connection.close()


def test_it_emails_the_partner_admins_once_per_version(committed_version, celery_worker):
    with schema_context("acme"):
        first = email_agreement_published.delay(committed_version.pk)
        again = email_agreement_published.delay(committed_version.pk)
    assert first.get(timeout=30) >= 2  # at least the admins of partners A and B
    assert again.get(timeout=30) is None  # the run-once ledger stops the second delivery
