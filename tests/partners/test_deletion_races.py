"""The worker filing rows under a partner or an upload while someone deletes it.

A new partner's save queues a refresh of its figures (reporting/analytics/hooks.py), the
nightly scores and the report reminders write rows for every active partner, and an
import's follow-up files quality figures under its upload. A vendor admin who deletes the
partner or the upload meanwhile (the admin's delete, the bulk action) must not get an
error, and the worker must not fail or leave rows behind. Both orders are played, each on
two connections meeting at a known point (tests/races.py).
"""

import datetime as dt
import uuid

import pytest
from django.db import connection
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
from tests.races import held_then


@pytest.fixture
def new_partner(cast, django_db_blocker):
    """A partner of cm_a just created (committed), as the admin or an approval makes one;
    whatever the test leaves of it is removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock(), schema_context("acme"):
        partner = Partner.objects.create(
            name=f"Fleeting {tag}", slug=f"fleeting-{tag}", country="US", channel_manager=cast.cm_a
        )
    yield partner
    with django_db_blocker.unblock(), schema_context("acme"):
        ReportReminder.objects.filter(partner_id=partner.pk).delete()
        delete_partner_and_users(partner)
        connection.close()


def delete_partner_and_users(partner: Partner) -> None:
    User.objects.filter(membership__partner_id=partner.pk).delete()
    Partner.objects.filter(pk=partner.pk).delete()


def test_it_deletes_a_partner_while_the_worker_is_filing_its_figures(
    django_db_blocker, new_partner
):
    outcomes = held_then(
        django_db_blocker,
        lambda: services.refresh_sales_summaries(partner_ids=[new_partner.pk]),
        lambda: Partner.objects.get(pk=new_partner.pk).delete(),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not Partner.objects.filter(pk=new_partner.pk).exists()
        assert not RollupPartner.objects.filter(partner_id=new_partner.pk).exists()


def test_it_refreshes_nothing_for_a_partner_deleted_while_the_refresh_waited(
    django_db_blocker, new_partner
):
    outcomes = held_then(
        django_db_blocker,
        lambda: Partner.objects.filter(pk=new_partner.pk).delete(),
        lambda: refresh_summaries(partner_ids=[new_partner.pk], deals=False),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not RollupPartner.objects.filter(partner_id=new_partner.pk).exists()


def test_it_refreshes_nothing_for_a_partner_deleted_before_the_task_ran(acme, cast):
    partner = Partner.objects.create(name="Gone Before", slug="gone-before", country="US")
    partner_id = partner.pk
    partner.delete()
    refresh_summaries(partner_ids=[partner_id])  # what the worker runs for the queued save
    assert not RollupPartner.objects.filter(partner_id=partner_id).exists()


def test_it_scores_no_partner_deleted_while_the_scores_were_computed(
    django_db_blocker, new_partner
):
    outcomes = held_then(
        django_db_blocker,
        lambda: delete_partner_and_users(new_partner),
        lambda: quality.scores_refresh(months=1, partner_ids=[new_partner.pk]),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not PartnerPeriodQuality.objects.filter(partner_id=new_partner.pk).exists()


def test_it_reminds_no_partner_deleted_while_the_reminders_ran(django_db_blocker, new_partner):
    september = parse_month("2026-09")
    overdue = add_business_days(september.end, 10) + dt.timedelta(days=3)
    with django_db_blocker.unblock(), schema_context("acme"):
        Partner.objects.filter(pk=new_partner.pk).update(
            created_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
        )
        ReportingCadence.objects.create(partner=new_partner, due_business_days=10)
        partner_user_create(
            email=f"admin@{new_partner.slug}.example", role=Role.PARTNER_ADMIN, partner=new_partner
        )
    outcomes = held_then(
        django_db_blocker,
        lambda: delete_partner_and_users(new_partner),
        lambda: quality.reminders_send(today=overdue),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not ReportReminder.objects.filter(partner_id=new_partner.pk).exists()


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
    outcomes = held_then(
        django_db_blocker,
        lambda: Upload.objects.filter(pk=committed_upload.pk).delete(),
        lambda: after_import_step(committed_upload.pk),
    )
    assert outcomes == ("done", "done")
    with django_db_blocker.unblock(), schema_context("acme"):
        assert not Upload.objects.filter(pk=committed_upload.pk).exists()
        assert not UploadQuality.objects.filter(upload_id=committed_upload.pk).exists()
