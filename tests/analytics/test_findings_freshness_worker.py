"""A partner's report imported on the real worker: while the reconciliation it queued has
not finished, the reconciliation page names the partner and polls; once it has, the
page's poll finds nothing waiting, reloads the list and "findings as of" has moved.

The run is held at its start by the partner's own lock (what a second run of the partner
waits on) from another connection, so the page is looked at while the run is running,
not raced. Everything is committed for the worker to see, on a partner of this test
that is removed with every row the refreshes wrote for it."""

import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from deals.models import DealEvent, Product
from partners.models import Partner
from reporting import importing
from reporting.analytics import models as analytics
from reporting.analytics.reconciliation import _PARTNER_LOCK_KEY
from reporting.analytics.services import refresh_all
from reporting.models import Upload
from tests.conftest import TenantClient, child_database_url, host_of, wait_for_worker_idle
from tests.ingest.support import SAMPLES
from tests.reporting.conftest import _quality_step_finished, quality_mark, quality_restore
from tests.reporting.waiting import wait_for_upload

pytestmark = pytest.mark.worker

PAGE = "/analytics/reconciliation/"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "findings-freshness"}
UPDATING = "are being reconciled"

#: Tables the refreshes write per partner (no foreign key on some): emptied of this
#: test's partner afterwards, and checked to hold what they held before.
PARTNER_TABLES = (
    analytics.SalesMonthProduct,
    analytics.SalesMonth,
    analytics.SalesMonthCountry,
    analytics.DealMonth,
    analytics.RollupPartner,
    analytics.ReconciledPartner,
    analytics.ReconciliationChange,
    analytics.SalesChangedMonth,
    analytics.ReconciliationFinding,
    analytics.FindingCount,
)


def _counts() -> dict[str, int]:
    with schema_context("acme"):
        tables = (*PARTNER_TABLES, analytics.TenantMonth)
        return {model.__name__: model.objects.count() for model in tables}


@pytest.fixture
def fresh_partner(celery_worker, cast, django_db_blocker):
    """A partner of cm_a, committed, reconciled (as far as the pages know) two hours ago;
    removed afterwards with its uploads, the products they added and every row the
    worker wrote for it (as tests/reporting's ``committed`` does for its uploads)."""
    with django_db_blocker.unblock():
        before, mark = _counts(), quality_mark()
        with schema_context("acme"):
            partner = Partner.objects.create(
                name="Freshwater Supplies",
                slug=f"freshwater-{uuid.uuid4().hex[:6]}",
                country="US",
                channel_manager=cast.cm_a,
            )
        partner.new_skus = []
        wait_for_worker_idle()  # the new partner's own refresh
        with schema_context("acme"):
            long_ago = timezone.now() - timedelta(hours=2)
            analytics.ReconciledPartner.objects.update_or_create(
                partner_id=partner.pk,
                defaults={
                    "reconciled_at": long_ago,
                    "findings_at": long_ago,
                    "deal_event_id": DealEvent.objects.order_by("-pk")
                    .values_list("pk", flat=True)
                    .first()
                    or 0,
                },
            )
        try:
            yield partner
        finally:
            wait_for_worker_idle()
            with schema_context("acme"):
                uploads = list(Upload.objects.filter(partner=partner))
            _quality_step_finished([upload.pk for upload in uploads])
            with schema_context("acme"):
                for upload in uploads:
                    upload.file.delete(save=False)
                    upload.delete()
                # Its lines gone, its figures and rollups come back to nothing.
                refresh_all(partner_ids=[partner.pk])
                for model in PARTNER_TABLES:
                    model.objects.filter(partner_id=partner.pk).delete()
                analytics.TenantMonth.objects.filter(line_count=0, quantity=0).delete()
                partner.delete()
                Product.objects.filter(vendor_sku__in=partner.new_skus).delete()
            quality_restore(mark)
            assert _counts() == before


def _products(partner, text: str) -> None:
    with schema_context("acme"):
        for line in text.splitlines()[1:]:
            sku = line.split(",")[0]
            _product, made = Product.objects.get_or_create(
                vendor_sku=sku, defaults={"name": sku, "list_price": 1}
            )
            if made:
                partner.new_skus.append(sku)


def _page(client, django_db_blocker, **headers) -> str:
    with django_db_blocker.unblock():
        response = client.get(PAGE, {"status": "open"}, **headers)
        connection.set_schema_to_public()
    assert response.status_code == 200
    return response.content.decode()


class HeldRun:
    """The partner's lock, held from another connection: its reconciliation run, once
    the worker starts it, waits at its start until ``release``."""

    def __init__(self, partner):
        self.partner = partner
        self.held = psycopg.connect(child_database_url(), autocommit=True)
        self.held.execute("SELECT pg_advisory_lock(%s, %s)", [_PARTNER_LOCK_KEY, partner.pk])

    def release(self) -> None:
        self.held.close()


def _import_report(partner, django_db_blocker) -> None:
    """The sample report (one customer name made new) imported on the worker."""
    _products(partner, (SAMPLES / "products.csv").read_text())
    text = (SAMPLES / "northwind_pos_2026-09.csv").read_text(encoding="utf-8")
    content = text.replace("Harbor View Hotels", f"Harbor View Hotels {uuid.uuid4()}", 1)
    with django_db_blocker.unblock(), schema_context("acme"):
        upload = importing.receive(
            partner=partner, uploaded_by=None, name="north.csv", chunks=[content.encode()]
        )
    done = wait_for_upload(upload.pk, lambda u: u.status in ("done", "failed"), 60)
    assert done.status == "done", done.message


def _findings_at(partner, django_db_blocker) -> tuple:
    with django_db_blocker.unblock(), schema_context("acme"):
        row = analytics.ReconciledPartner.objects.get(partner_id=partner.pk)
        return row.reconciled_at, row.findings_at


def test_the_page_names_the_partner_while_its_run_runs_and_updates_when_it_is_done(
    cast,
    fresh_partner,
    django_db_blocker,
):
    clients = {}
    with django_db_blocker.unblock(), schema_context("acme"):
        for user in (cast.cm_a, cast.cm_b):
            clients[user.pk] = TenantClient(host_of(cast.acme))
            clients[user.pk].force_login(user)
    full_before, before = _findings_at(fresh_partner, django_db_blocker)

    run = HeldRun(fresh_partner)
    try:
        _import_report(fresh_partner, django_db_blocker)
        page = _page(clients[cast.cm_a.pk], django_db_blocker)
        assert "New sales of Freshwater Supplies are being reconciled." in page
        assert 'hx-trigger="every 2s"' in page
        assert "Freshwater" not in _page(clients[cast.cm_b.pk], django_db_blocker)
        poll = _page(clients[cast.cm_a.pk], django_db_blocker, **POLL)
        assert UPDATING in poll  # the run is running (held at its start): still waiting
    finally:
        run.release()

    deadline = time.monotonic() + 60
    while UPDATING in (poll := _page(clients[cast.cm_a.pk], django_db_blocker, **POLL)):
        assert time.monotonic() < deadline, "the run never finished"
        time.sleep(0.5)
    assert "every 2s" not in poll and 'hx-target="#analytics-body"' in poll
    full_after, after = _findings_at(fresh_partner, django_db_blocker)
    assert after > before + timedelta(hours=1)
    assert full_after == full_before  # an incremental run, not a full one
    body = _page(clients[cast.cm_a.pk], django_db_blocker, HTTP_HX_REQUEST="true")
    assert "Harbor View Hotels" in body  # the new findings, listed


@pytest.mark.browser
def test_in_chromium_the_page_updates_by_itself_when_the_run_is_done(
    cast,
    fresh_partner,
    django_db_blocker,
    page,
    login_in_browser,
):
    run = HeldRun(fresh_partner)
    try:
        _import_report(fresh_partner, django_db_blocker)
        base = login_in_browser(page, cast.cm_a.email)
        page.goto(f"{base}{PAGE}?status=open&kind=unregistered")
        expect(page.get_by_test_id("findings-updating")).to_contain_text(
            "New sales of Freshwater Supplies are being reconciled."
        )
        expect(page.locator("table.findings")).not_to_contain_text("Harbor View Hotels")
        page.evaluate("window.notReloaded = true")
    finally:
        run.release()

    expect(page.get_by_test_id("findings-updating")).to_have_count(0, timeout=30_000)
    expect(page.locator("table.findings")).to_contain_text("Harbor View Hotels")
    expect(page.get_by_test_id("findings-as-of")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # swapped in, not a new page
    assert page.locator("select[name=kind]").input_value() == "unregistered"  # filters kept
    with django_db_blocker.unblock():
        connection.close()  # see test_charts_browser: the greenlet's connection
