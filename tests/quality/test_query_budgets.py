"""The quality pages run a fixed number of queries whatever the number of rows."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reporting.quality.models import Customer, CustomerName, LinkStatus, PartnerPeriodQuality
from reporting.quality.services import scores_refresh


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


def _spellings(count: int, start: int) -> None:
    for n in range(start, start + count):
        known = Customer.objects.create(name=f"Budget Harbor {n}", key=f"budget harbor {n}")
        CustomerName.objects.create(
            name=f"Budget Harbour Point {n}",
            key=f"budget harbour point {n}",
            candidate=known,
            score=80,
            status=LinkStatus.REVIEW,
        )


def test_it_reads_the_customer_review_page_in_constant_queries(acme, cast, client_for):
    client = client_for(cast.cm_a)
    url = reverse("quality:customer_review")
    _spellings(2, 0)
    few = _queries(client, url)
    _spellings(20, 2)
    assert _queries(client, url) == few


def test_it_reads_the_reporting_page_and_workspace_in_constant_queries(acme, cast, client_for):
    from partners.models import Partner

    client = client_for(cast.vendor_admin)
    page = reverse("quality:partner", kwargs={"pk": cast.partner_a.pk})
    workspace = reverse("channels:workspace")
    Partner.objects.filter(pk=cast.partner_a.pk).update(
        created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    )
    scores_refresh(months=2)
    few = (_queries(client, page), _queries(client, workspace))
    for n in range(12):
        partner = Partner.objects.create(
            name=f"Budget {n}", slug=f"budget-{n}", channel_manager=cast.cm_a
        )
        Partner.objects.filter(pk=partner.pk).update(
            created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        )
    scores_refresh(months=6)
    assert PartnerPeriodQuality.objects.filter(partner=cast.partner_a).count() == 6
    assert (_queries(client, page), _queries(client, workspace)) == few
