"""Deal services: the lifecycle table, conflicts, protection, extension, history, rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from deals import services
from deals.models import (
    AppendOnlyError,
    Deal,
    DealConflict,
    DealEvent,
    DealStatus,
    DirectAccount,
    Notification,
)

TODAY = date.today()


def _force_status(deal, status):
    """Put a deal in any status for the lifecycle table (test set-up only)."""
    protected = TODAY + timedelta(days=30) if status == DealStatus.APPROVED else None
    Deal.objects.filter(pk=deal.pk).update(status=status, protected_until=protected)
    deal.refresh_from_db()
    return deal


def _act(action, deal, cast):
    """Call the service behind `action` as the user who is allowed to do it."""
    version = deal.version
    if action == "submit":
        return services.deal_submit(user=cast.rep_a1, deal_id=deal.pk, expected_version=version)
    if action == "approve":
        return services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=version)
    if action == "reject":
        return services.deal_reject(
            user=cast.cm_a, deal_id=deal.pk, expected_version=version, reason="Duplicate"
        )
    if action == "request_information":
        return services.deal_request_information(
            user=cast.cm_a, deal_id=deal.pk, expected_version=version, question="Which site?"
        )
    if action == "close_won":
        return services.deal_close_won(
            user=cast.rep_a1,
            deal_id=deal.pk,
            expected_version=version,
            final_amount=Decimal("5000"),
            closed_on=TODAY,
        )
    if action == "close_lost":
        return services.deal_close_lost(
            user=cast.rep_a1, deal_id=deal.pk, expected_version=version, reason="Budget cut"
        )
    if action == "expire":
        Deal.objects.filter(pk=deal.pk).update(protected_until=TODAY - timedelta(days=1))
        if not services.deal_expire(deal_id=deal.pk):
            raise services.IllegalTransition("nothing expired")
        return Deal.objects.get(pk=deal.pk)
    raise AssertionError(action)


LIFECYCLE = [(action, status) for action in services.TRANSITIONS for status in DealStatus.values]


@pytest.mark.parametrize(("action", "status"), LIFECYCLE)
def test_it_allows_exactly_the_transitions_of_the_lifecycle(action, status, cast, register):
    deal = _force_status(register(cast.rep_a1, submit=False), status)
    sources, target = services.TRANSITIONS[action]

    if status in sources:
        moved = _act(action, deal, cast)
        assert moved.status == target
        event = DealEvent.objects.filter(deal=deal).latest("pk")
        assert (event.from_status, event.to_status) == (status, target)
    else:
        with pytest.raises(services.IllegalTransition):
            _act(action, deal, cast)
        deal.refresh_from_db()
        assert deal.status == status, "an illegal action changes nothing"


def test_it_records_who_did_what_in_the_history(cast, register):
    deal = register(cast.rep_a1)
    services.deal_request_information(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, question="Which site?"
    )

    history = list(DealEvent.objects.filter(deal=deal).order_by("pk"))

    assert [(e.kind, e.actor, e.from_status, e.to_status) for e in history] == [
        ("created", cast.rep_a1, "", ""),
        ("submitted", cast.rep_a1, "draft", "submitted"),
        ("information_requested", cast.cm_a, "submitted", "more_information"),
    ]
    assert history[-1].comment == "Which site?"


def test_it_refuses_to_change_or_delete_history(cast, register):
    event = DealEvent.objects.filter(deal=register(cast.rep_a1)).first()

    with pytest.raises(AppendOnlyError):
        event.comment = "rewritten"
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        DealEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(AppendOnlyError):
        DealEvent.objects.filter(pk=event.pk).delete()


def test_it_refuses_history_changes_in_the_database_itself(cast, register):
    event = DealEvent.objects.filter(deal=register(cast.rep_a1)).first()

    for sql in (
        "UPDATE deals_dealevent SET comment = 'x' WHERE id = %s",
        "DELETE FROM deals_dealevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])


def test_it_starts_the_protection_period_of_the_vendor_on_approval(cast, register):
    deal = register(cast.rep_a1)

    approved = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)

    assert approved.protected_until == timezone.localdate() + timedelta(
        days=cast.acme.protection_days
    )
    assert approved.decided_by == cast.cm_a


def test_it_requires_a_reason_to_reject(cast, register):
    deal = register(cast.rep_a1)
    with pytest.raises(ValidationError):
        services.deal_reject(
            user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, reason=" "
        )


def test_it_lets_only_the_assigned_cm_or_a_vendor_admin_decide(cast, register):
    deal = register(cast.rep_a1)
    for outsider in (cast.cm_b, cast.rep_a1, cast.partner_a_admin, cast.rep_b):
        with pytest.raises(PermissionDenied):
            services.deal_approve(user=outsider, deal_id=deal.pk, expected_version=deal.version)

    approved = services.deal_approve(
        user=cast.vendor_admin, deal_id=deal.pk, expected_version=deal.version
    )
    assert approved.status == DealStatus.APPROVED


def test_it_lets_only_the_registering_rep_or_their_admin_edit(cast, register):
    deal = register(cast.rep_a1, submit=False)
    for outsider in (cast.rep_a2, cast.rep_b, cast.partner_b_admin, cast.cm_a):
        with pytest.raises(PermissionDenied):
            services.deal_submit(user=outsider, deal_id=deal.pk, expected_version=deal.version)

    submitted = services.deal_submit(
        user=cast.partner_a_admin, deal_id=deal.pk, expected_version=deal.version
    )
    assert submitted.status == DealStatus.SUBMITTED


def test_it_refuses_a_decision_on_a_stale_version(cast, register):
    deal = register(cast.rep_a1)
    services.deal_request_information(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, question="Which site?"
    )

    with pytest.raises(services.DealChanged):
        services.deal_reject(
            user=cast.vendor_admin, deal_id=deal.pk, expected_version=deal.version, reason="No"
        )


def test_it_stores_conflicts_with_reasons_when_another_partner_registered_the_customer(
    cast, register
):
    first = register(cast.rep_a1, "Blue Harbor Logistics Inc.", domain="blue-harbor.com")
    second = register(cast.rep_b, "blue harbour logistics", domain="https://www.blue-harbor.com/")

    conflict = DealConflict.objects.get(deal=second)

    assert conflict.other_deal == first
    assert conflict.score >= 75
    texts = [reason.render() for reason in conflict.reason_objects()]
    assert "same domain blue-harbor.com" in texts
    assert "2 of 2 products overlap" in texts
    second.refresh_from_db()
    assert second.conflict_score == conflict.score


def test_it_never_reports_a_partners_own_deals_as_conflicts(cast, register):
    register(cast.rep_a1, "Blue Harbor Logistics")
    again = register(cast.rep_a2, "Blue Harbor Logistics")

    assert not DealConflict.objects.filter(deal=again).exists()


def test_it_reports_conflicts_with_the_vendors_direct_accounts(cast, register):
    account = DirectAccount.objects.create(
        customer_name="Blue Harbor Logistics Ltd", customer_domain="blue-harbor.com"
    )

    deal = register(cast.rep_a1, "Blue Harbour Logistics", domain="ana@blue-harbor.com")

    conflict = DealConflict.objects.get(deal=deal)
    assert conflict.direct_account == account


def test_it_refuses_a_second_approval_for_the_same_customer_and_products(cast, register):
    first = register(cast.rep_a1, "Blue Harbor Logistics")
    second = register(cast.rep_b, "Blue Harbor Logistics Inc.")
    services.deal_approve(user=cast.cm_a, deal_id=first.pk, expected_version=first.version)

    with pytest.raises(services.ApprovalBlocked):
        services.deal_approve(user=cast.cm_b, deal_id=second.pk, expected_version=second.version)

    rejected = services.deal_reject(
        user=cast.cm_b, deal_id=second.pk, expected_version=second.version, reason="Taken"
    )
    assert rejected.status == DealStatus.REJECTED


def test_it_allows_approving_the_same_customer_for_other_products(cast, register):
    first = register(cast.rep_a1, "Blue Harbor Logistics", skus=("SW-24",))
    second = register(cast.rep_b, "Blue Harbor Logistics", skus=("AP-7",))
    services.deal_approve(user=cast.cm_a, deal_id=first.pk, expected_version=first.version)

    approved = services.deal_approve(
        user=cast.cm_b, deal_id=second.pk, expected_version=second.version
    )

    assert approved.status == DealStatus.APPROVED


def test_it_lets_the_rep_edit_and_resubmit_after_a_question(cast, register, catalogue):
    deal = register(cast.rep_a1)
    deal = services.deal_request_information(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, question="Which site?"
    )

    edited = services.deal_update(
        user=cast.rep_a1,
        deal_id=deal.pk,
        expected_version=deal.version,
        data=services.DealInput(customer_name="Blue Harbor Logistics", notes="Hai Phong site"),
        lines=[services.LineInput(product_id=catalogue["AP-7"].pk, quantity=10)],
    )
    resubmitted = services.deal_submit(
        user=cast.rep_a1, deal_id=edited.pk, expected_version=edited.version
    )

    assert resubmitted.status == DealStatus.SUBMITTED
    assert resubmitted.expected_value == Decimal("4500.00")


def test_it_keeps_a_hand_entered_expected_value(cast, register, catalogue):
    deal = services.deal_create(
        user=cast.rep_a1,
        data=services.DealInput(customer_name="Acme Corp", expected_value=Decimal("999")),
        lines=[services.LineInput(product_id=catalogue["SW-24"].pk, quantity=1)],
    )
    assert deal.expected_value == Decimal("999")
    assert deal.value_overridden


def test_it_extends_protection_when_the_cm_grants_a_request(cast, register):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)
    wanted = deal.protected_until + timedelta(days=30)

    deal = services.deal_request_extension(
        user=cast.rep_a1,
        deal_id=deal.pk,
        expected_version=deal.version,
        until=wanted,
        reason="Tender delayed",
    )
    deal = services.deal_decide_extension(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, grant=True
    )

    assert deal.protected_until == wanted
    assert deal.extension_requested_until is None


def test_it_keeps_protection_when_the_cm_denies_an_extension(cast, register):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)
    end = deal.protected_until
    deal = services.deal_request_extension(
        user=cast.rep_a1,
        deal_id=deal.pk,
        expected_version=deal.version,
        until=end + timedelta(days=10),
        reason="Tender delayed",
    )
    deal = services.deal_decide_extension(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, grant=False
    )

    assert deal.protected_until == end


def test_it_refuses_an_extension_longer_than_one_protection_period(cast, register):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)
    with pytest.raises(ValidationError):
        services.deal_request_extension(
            user=cast.rep_a1,
            deal_id=deal.pk,
            expected_version=deal.version,
            until=deal.protected_until + timedelta(days=cast.acme.protection_days + 1),
            reason="Long tender",
        )


def test_it_expires_only_after_the_last_protected_day(cast, register):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)

    assert not services.deal_expire(deal_id=deal.pk, today=deal.protected_until)
    assert services.deal_expire(deal_id=deal.pk, today=deal.protected_until + timedelta(days=1))
    assert not services.deal_expire(deal_id=deal.pk, today=deal.protected_until + timedelta(days=2))

    deal.refresh_from_db()
    assert deal.status == DealStatus.EXPIRED
    assert deal.events.latest("pk").actor is None


def test_it_reminds_the_rep_14_and_3_days_before_expiry_once_each(cast, register):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)
    end = deal.protected_until

    sent = [
        services.deal_send_expiry_reminder(deal_id=deal.pk, today=end - timedelta(days=days))
        for days in (20, 14, 13, 10, 3, 2, 1)
    ]

    assert sent == [None, 14, None, None, 3, None, None]
    reminders = Notification.objects.filter(deal=deal, kind="expiry_reminder")
    assert [n.recipient for n in reminders] == [cast.rep_a1, cast.rep_a1]


def test_it_reminds_the_cm_of_reviews_past_the_target(cast, register):
    deal = register(cast.rep_a1)
    monday = timezone.now().replace(year=2030, month=1, day=7, hour=9)
    Deal.objects.filter(pk=deal.pk).update(submitted_at=monday)

    on_time = services.deal_remind_overdue_review(deal_id=deal.pk, now=monday + timedelta(days=2))
    overdue = services.deal_remind_overdue_review(deal_id=deal.pk, now=monday + timedelta(days=3))
    again = services.deal_remind_overdue_review(
        deal_id=deal.pk, now=monday + timedelta(days=3, hours=2)
    )

    assert (on_time, overdue, again) == (False, True, False)
    assert Notification.objects.get(deal=deal, kind="review_overdue").recipient == cast.cm_a


def test_it_counts_business_days_without_weekends():
    friday = date(2030, 1, 4)
    assert services.business_days_between(friday, friday + timedelta(days=3)) == 1  # Monday
    assert services.business_days_between(friday, friday + timedelta(days=7)) == 5


def test_it_notifies_the_cm_on_submit_and_the_rep_on_decision(cast, register):
    deal = register(cast.rep_a1)
    services.deal_reject(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, reason="Already covered"
    )

    kinds = {(n.kind, n.recipient) for n in Notification.objects.filter(deal=deal)}

    assert kinds == {("submitted", cast.cm_a), ("rejected", cast.rep_a1)}


def test_it_ignores_forged_ownership(cast, register):
    deal = register(cast.rep_b, submit=False)

    assert deal.partner == cast.partner_b
    assert deal.registered_by == cast.rep_b


def test_every_history_entry_notes_the_transaction_that_wrote_it(cast, register):
    # Reconciliation reads the entries of transactions that ended since its last run: no
    # writer may leave the transaction out or write its own value.
    deal = register(cast.rep_a1)  # created and submitted, by the services
    DealEvent.objects.bulk_create([DealEvent(deal=deal, kind=DealEvent.Kind.REMINDER_SENT)])
    created = DealEvent.objects.create(deal=deal, kind=DealEvent.Kind.EDITED)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (this_transaction,) = cursor.fetchone()

    assert created.xact_id == this_transaction  # returned by the INSERT
    recorded = list(DealEvent.objects.filter(deal=deal).values_list("kind", "xact_id"))
    assert sorted(recorded) == [
        ("created", this_transaction),
        ("edited", this_transaction),
        ("reminder_sent", this_transaction),
        ("submitted", this_transaction),
    ]
