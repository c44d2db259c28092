"""Two people acting on the same deal at once, on two real database connections.

Each actor runs in its own thread, so Django gives it its own connection and transaction;
the data is committed (see tests/deals/committed.py), and row locks decide who wins.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from deals import services
from deals.models import Deal, DealEvent, DealStatus
from tests.deals.committed import committed_deal, purge_deals


@pytest.fixture
def created(django_db_blocker, cast):
    ids: list[int] = []
    with django_db_blocker.unblock():
        yield ids
        purge_deals(ids)


def _in_thread(target, results, key, *args):
    def run():
        try:
            with schema_context("acme"):
                results[key] = target(*args)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_it_lets_only_one_of_two_cms_decide_the_same_deal(cast, django_db_blocker, created):
    with django_db_blocker.unblock():
        deal = committed_deal(cast.rep_a1, "Race Condition Industries")
        created.append(deal.pk)
    holding = threading.Event()
    results: dict = {}

    def approve_slowly():
        # CM 1 takes the row lock first and is still busy when CM 2 arrives.
        with transaction.atomic():
            Deal.objects.select_for_update().get(pk=deal.pk)
            holding.set()
            time.sleep(0.5)
            return services.deal_approve(
                user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version
            )

    def reject():
        holding.wait(5)
        return services.deal_reject(
            user=cast.vendor_admin, deal_id=deal.pk, expected_version=deal.version, reason="Dup"
        )

    threads = [
        _in_thread(approve_slowly, results, "cm"),
        _in_thread(reject, results, "admin"),
    ]
    for thread in threads:
        thread.join(15)

    assert isinstance(results["cm"], Deal) and results["cm"].status == DealStatus.APPROVED
    assert isinstance(results["admin"], services.DealChanged)
    with django_db_blocker.unblock(), schema_context("acme"):
        assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED
        decisions = DealEvent.objects.filter(deal_id=deal.pk, kind__in=["approved", "rejected"])
        assert decisions.count() == 1


def test_it_lets_exactly_one_win_when_both_start_together(cast, django_db_blocker, created):
    with django_db_blocker.unblock():
        deal = committed_deal(cast.rep_a1, "Simultaneous Start Systems")
        created.append(deal.pk)
    barrier = threading.Barrier(2)
    results: dict = {}

    def approve():
        barrier.wait(5)
        return services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)

    def ask():
        barrier.wait(5)
        return services.deal_request_information(
            user=cast.vendor_admin, deal_id=deal.pk, expected_version=deal.version, question="?"
        )

    threads = [_in_thread(approve, results, "a"), _in_thread(ask, results, "b")]
    for thread in threads:
        thread.join(15)

    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["Deal", "DealChanged"]


def test_it_lets_only_one_of_two_conflicting_deals_be_approved_at_once(
    cast, django_db_blocker, created
):
    with django_db_blocker.unblock():
        first = committed_deal(cast.rep_a1, "Twin Peaks Trading Inc.")
        second = committed_deal(cast.rep_b, "Twin Peaks Trading")
        created.extend([first.pk, second.pk])
    barrier = threading.Barrier(2)
    results: dict = {}

    def approve(user, deal):
        barrier.wait(5)
        return services.deal_approve(user=user, deal_id=deal.pk, expected_version=deal.version)

    threads = [
        _in_thread(approve, results, "a", cast.cm_a, first),
        _in_thread(approve, results, "b", cast.cm_b, second),
    ]
    for thread in threads:
        thread.join(15)

    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["ApprovalBlocked", "Deal"]
    with django_db_blocker.unblock(), schema_context("acme"):
        statuses = set(
            Deal.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
        )
    assert statuses == {DealStatus.APPROVED, DealStatus.SUBMITTED}


def test_it_stops_a_rep_edit_that_races_a_cm_decision(cast, django_db_blocker, created):
    with django_db_blocker.unblock():
        deal = committed_deal(cast.rep_a1, "Edit Race Engineering")
        created.append(deal.pk)
        with schema_context("acme"):
            deal = services.deal_request_information(
                user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, question="Site?"
            )
    barrier = threading.Barrier(2)
    results: dict = {}

    def edit():
        barrier.wait(5)
        lines = [
            services.LineInput(product_id=line.product_id, quantity=5) for line in deal.lines.all()
        ]
        return services.deal_update(
            user=cast.rep_a1,
            deal_id=deal.pk,
            expected_version=deal.version,
            data=services.DealInput(customer_name="Edit Race Engineering", notes="Site: Hanoi"),
            lines=lines,
        )

    def reject():
        barrier.wait(5)
        return services.deal_reject(
            user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, reason="No answer"
        )

    with django_db_blocker.unblock(), schema_context("acme"):
        list(deal.lines.all())  # load the lines before the threads start
    threads = [_in_thread(edit, results, "rep"), _in_thread(reject, results, "cm")]
    for thread in threads:
        thread.join(15)

    outcomes = sorted(type(result).__name__ for result in results.values())
    assert outcomes == ["Deal", "DealChanged"]
