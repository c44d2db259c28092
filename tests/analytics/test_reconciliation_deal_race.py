"""A registration's change committed late, with a smaller history id than one committed
before it, still reaches the next incremental reconciliation.

History ids are handed out before commit: transaction A records an entry (the lower id)
and is still open when transaction B records one (the higher id) and commits; a run in
between sees B's entry only. The runs must not take "every entry up to B's id" as read.
A and B are real transactions on their own connections (threads); the registrations are
committed (tests/deals/committed.py), the sales lines and findings are the test's own.
"""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from deals.models import Deal, DealEvent, DealLine, Product
from reporting.analytics.models import FindingKind
from reporting.analytics.reconciliation import reconcile_sales
from tests.analytics.test_reconciliation_incremental import (
    customers,
    findings,
    full_reconciliation,
    imported,
)
from tests.deals.committed import purge_deals


def _registration(partner, user, customer: str, product) -> Deal:
    decided = datetime(2026, 1, 6, 12, tzinfo=UTC)
    deal = Deal(
        partner=partner,
        registered_by=user,
        status="approved",
        customer_name=customer,
        customer_country="US",
        expected_value=Decimal("1000"),
        currency="USD",
        submitted_at=decided - timedelta(days=1),
        decided_at=decided,
        protected_until=decided.date() + timedelta(days=90),
    )
    deal.refresh_matching_keys()
    deal.save()
    DealLine.objects.create(deal=deal, product=product, quantity=1, unit_price=Decimal("1000"))
    return deal


@pytest.fixture
def registrations(cast, django_db_blocker):
    """Partner A's approved registration of Blue Harbor Logistics and partner B's of
    Granite Peak Mining, and their product, committed before the test's transaction
    begins (so removed after it ends)."""
    with django_db_blocker.unblock(), schema_context("acme"):
        product = Product.objects.create(
            vendor_sku="RECON-SW", name="Switch", list_price=Decimal("1000")
        )
        made = {
            "harbor": _registration(cast.partner_a, cast.rep_a1, "Blue Harbor Logistics", product),
            "rival": _registration(cast.partner_b, cast.rep_b, "Granite Peak Mining", product),
        }
    yield made
    with django_db_blocker.unblock():
        purge_deals(deal.pk for deal in made.values())
        with schema_context("acme"):
            Product.objects.filter(pk=product.pk).delete()


def _in_own_transaction(record, results: dict, key: str, *, then=None):
    """Run ``record`` in a thread, on its own connection and transaction; with ``then``
    (an Event) the transaction stays open until it is set."""

    def run():
        try:
            with schema_context("acme"), transaction.atomic():
                results[key] = record()
                if then is not None:
                    results[f"{key} written"].set()
                    assert then.wait(20), "never told to commit"
        except Exception as error:  # noqa: BLE001 - the test reports it
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=key)
    thread.start()
    return thread


def test_a_change_committed_late_with_a_smaller_history_id_is_reconciled_next_time(
    registrations, cast, sales
):
    imported(
        sales,
        cast.partner_a,
        [
            (date(2026, 1, 20), "RECON-SW", 1200, "Blue Harbor Logistics"),
            (date(2026, 1, 22), "RECON-SW", 800, "Granite Peak Mining"),
        ],
    )
    reconcile_sales(partner_ids=None)
    assert customers(cast.partner_a, FindingKind.MATCH) == {"Blue Harbor Logistics"}
    assert customers(cast.partner_a, FindingKind.CONFLICT) == {"Granite Peak Mining"}
    harbor, rival = registrations["harbor"], registrations["rival"]

    def lose_harbor():
        Deal.objects.filter(pk=harbor.pk).update(status="lost")
        return DealEvent.objects.create(deal_id=harbor.pk, kind="lost", to_status="lost")

    def edit_rival():
        return DealEvent.objects.create(deal_id=rival.pk, kind="edited", to_status="approved")

    commit_a = threading.Event()
    results: dict = {"A written": threading.Event()}
    a = _in_own_transaction(lose_harbor, results, "A", then=commit_a)
    try:
        assert results["A written"].wait(20), results.get("A")
        b = _in_own_transaction(edit_rival, results, "B")
        b.join(20)
        assert isinstance(results["B"], DealEvent), results["B"]
        assert results["A"].pk < results["B"].pk  # A's entry: the smaller id, not committed

        # The import's (or B's) run: A's change is not visible yet.
        reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)
        assert customers(cast.partner_a, FindingKind.MATCH) == {"Blue Harbor Logistics"}
    finally:
        commit_a.set()
        a.join(20)
    assert isinstance(results["A"], DealEvent), results["A"]

    # The run A's change queues: the registration is lost, Blue Harbor's sales match none.
    reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)
    assert customers(cast.partner_a, FindingKind.MATCH) == set()
    assert customers(cast.partner_a, FindingKind.UNREGISTERED) == {"Blue Harbor Logistics"}
    assert findings() == full_reconciliation()
