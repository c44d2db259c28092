"""Two copies of one POST sent at the same moment with one Idempotency-Key act once."""

import threading

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from deals.models import Deal
from prm.accounts.models import ApiKey
from tests.api.support import key_for
from tests.conftest import TenantClient
from tests.deals.committed import committed_products, purge_deals


@pytest.fixture
def committed(django_db_blocker, cast):
    with django_db_blocker.unblock():
        yield
        with schema_context("acme"):
            ids = list(
                Deal.objects.filter(customer_name="Simultaneous Retry Ltd").values_list(
                    "pk", flat=True
                )
            )
            ApiKey.objects.filter(name="race").delete()
        purge_deals(ids)


def test_it_creates_one_deal_for_two_simultaneous_copies(cast, django_db_blocker, committed):
    committed_products()
    key = key_for(cast.rep_a1, name="race")
    start = threading.Barrier(2)
    answers = []

    def send():
        try:
            client = TenantClient("acme.localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
            start.wait()
            response = client.post(
                "/api/v1/deals/",
                {
                    "customer_name": "Simultaneous Retry Ltd",
                    "lines": [{"vendor_sku": "RACE-SW", "quantity": 1}],
                },
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in answers] == [201, 201]
    assert answers[0][1] == answers[1][1], "the second copy got the first one's answer"
    with schema_context("acme"):
        assert Deal.objects.filter(customer_name="Simultaneous Retry Ltd").count() == 1
