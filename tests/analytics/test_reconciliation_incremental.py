"""After an import only the end customers whose lines changed are reconciled again, with
exactly the findings a full reconciliation gives: a month added, a month imported again
(a customer gone, amounts changed), an upload deleted, registrations changed meanwhile
for customers the import did not touch.

Lines are written as an import writes them (rows of the sales lines table, the months of
added lines told to the sales-changed hooks; removed lines noted by the table's
triggers); the reconciliation is the one the import's task runs."""

from datetime import date, timedelta

import pytest
from django.db import connection

from deals.models import Deal, DealEvent
from prm.core.extensions import registry
from reporting.analytics import tasks
from reporting.analytics.models import (
    FindingKind,
    FindingStatus,
    ReconciledPartner,
    ReconciliationChange,
    ReconciliationFinding,
)
from reporting.analytics.reconciliation import reconcile_sales
from reporting.models import SalesLine, Upload
from tests.analytics.conftest import Line

JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def imported(sales, partner, rows: list[tuple], *, new_upload: bool = False) -> None:
    """``rows`` (day, sku, amount, customer) stored as an import stores them: the lines,
    then the sales-changed hooks told their months, in the same transaction."""
    if new_upload:
        sales.uploads.pop(partner.pk, None)
    sales.insert(
        [
            Line(partner.pk, day, sku, 1, amount, end_customer=customer, invoice_number=f"I{n}")
            for n, (day, sku, amount, customer) in enumerate(rows)
        ]
    )
    months = sorted({day.replace(day=1) for day, *_rest in rows})
    for hook in registry.sales_changed_hooks():
        hook([partner.pk], months)


def after_import(partner) -> None:
    """What the task an import queues runs (changed months and customers only)."""
    tasks.refresh_summaries(
        partner_ids=[partner.pk], sales=True, deals=False, changed_months_only=True
    )


def findings() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partner_id, kind, status, deal_id, customer_key, end_customer, country,"
            " products, first_invoice_date, last_invoice_date, line_count, amount_reporting,"
            " name_score FROM analytics_reconciliationfinding"
        )
        return sorted(cursor.fetchall(), key=repr)


def full_reconciliation() -> list[tuple]:
    reconcile_sales(partner_ids=None)
    return findings()


def customers(partner, kind) -> set[str]:
    return set(
        ReconciliationFinding.objects.filter(partner=partner, kind=kind).values_list(
            "end_customer", flat=True
        )
    )


def event(deal: Deal, kind: str) -> None:
    """The history entry deals.services records with every change of a registration."""
    DealEvent.objects.create(deal=deal, kind=kind, to_status=deal.status)


@pytest.fixture
def reconciled(cast, sales, deal):
    """Partner A's sales of January and February, reconciled in full: a match (its own
    approved registration), a conflict (partner B's registration), a won registration
    with sales, unregistered customers."""
    registrations = {
        "harbor": deal(cast.partner_a, cast.rep_a1, "approved", submitted=date(2026, 1, 5),
                       decided_after_hours=24, customer="Blue Harbor Logistics",
                       skus=("SW-24",)),
        "rival": deal(cast.partner_b, cast.rep_b, "approved", submitted=date(2026, 1, 5),
                      decided_after_hours=24, customer="Granite Peak Mining", skus=("SW-24",)),
        "won": deal(cast.partner_a, cast.rep_a1, "won", submitted=date(2026, 1, 5),
                    decided_after_hours=24, customer="Quiet Customer AG", skus=("AP-7",),
                    final_amount="900", closed_on=date(2026, 2, 1)),
    }  # fmt: skip
    imported(
        sales,
        cast.partner_a,
        [
            (date(2026, 1, 20), "SW-24", 1200, "Blue Harbor Logistics"),
            (date(2026, 2, 10), "SW-24", 1300, "Blue Harbor Logistics"),
            (date(2026, 1, 22), "SW-24", 800, "Granite Peak Mining"),
            (date(2026, 2, 3), "AP-7", 450, "Quiet Customer AG"),
            (date(2026, 1, 25), "SW-48", 2100, "Cedar Atlas Foods"),
            (date(2026, 2, 25), "SW-48", 2000, "Cedar Atlas Foods"),
            (date(2026, 2, 26), "AP-7", 400, "Orchard Lane Clinic"),
        ],
    )
    reconcile_sales(partner_ids=None)
    assert customers(cast.partner_a, FindingKind.MATCH) == {
        "Blue Harbor Logistics",
        "Quiet Customer AG",
    }
    assert customers(cast.partner_a, FindingKind.CONFLICT) == {"Granite Peak Mining"}
    assert customers(cast.partner_a, FindingKind.UNREGISTERED) == {
        "Cedar Atlas Foods",
        "Orchard Lane Clinic",
    }
    assert ReconciledPartner.objects.filter(partner_id=cast.partner_a.pk).exists()
    assert not ReconciliationChange.objects.exists()  # the full run covered every change
    return registrations


def test_an_import_adding_a_month_reconciles_its_customers_only(cast, sales, reconciled):
    imported(
        sales,
        cast.partner_a,
        [
            (date(2026, 3, 2), "SW-48", 1000, "Cedar Atlas Foods"),
            (date(2026, 3, 4), "SW-24", 700, "Blue Harbor Logistics"),
            (date(2026, 3, 9), "AP-7", 300, "Pine Valley Bakery"),
        ],
        new_upload=True,
    )
    counts = reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)

    # March's three customers, and the won registration's (its sales decide whether it
    # is "won without sales"): not the conflict's or the other unregistered customer's.
    assert sum(counts.values()) == 4
    assert not ReconciliationChange.objects.exists()
    incremental = findings()
    assert incremental == full_reconciliation()
    cedar = ReconciliationFinding.objects.get(
        partner=cast.partner_a, kind=FindingKind.UNREGISTERED, end_customer="Cedar Atlas Foods"
    )
    assert (cedar.line_count, cedar.amount_reporting) == (3, 5100)
    assert cedar.last_invoice_date == date(2026, 3, 2)
    assert "Pine Valley Bakery" in customers(cast.partner_a, FindingKind.UNREGISTERED)


def test_a_month_imported_again_drops_a_customer_and_changes_amounts(cast, sales, reconciled):
    # The import replaces its February lines: Orchard Lane is gone, Blue Harbor's amount
    # and Cedar Atlas's changed (the old lines are deleted, as a re-import does).
    SalesLine.objects.filter(partner=cast.partner_a, invoice_date__gte=FEB).delete()
    imported(
        sales,
        cast.partner_a,
        [
            (date(2026, 2, 10), "SW-24", 1500, "Blue Harbor Logistics"),
            (date(2026, 2, 3), "AP-7", 450, "Quiet Customer AG"),
            (date(2026, 2, 25), "SW-48", 2500, "Cedar Atlas Foods"),
        ],
    )
    after_import(cast.partner_a)

    assert findings() == full_reconciliation()
    assert "Orchard Lane Clinic" not in customers(cast.partner_a, FindingKind.UNREGISTERED)
    harbor = ReconciliationFinding.objects.get(partner=cast.partner_a, kind=FindingKind.MATCH,
                                               deal=reconciled["harbor"])  # fmt: skip
    assert harbor.amount_reporting == 1200 + 1500


def test_a_customer_renamed_in_a_re_import_leaves_no_finding_behind(cast, sales, reconciled):
    # The lines are corrected in place (an UPDATE): the old name's findings go, the new
    # name's come.
    SalesLine.objects.filter(partner=cast.partner_a, end_customer="Orchard Lane Clinic").update(
        end_customer="Orchard Lane Dental"
    )
    after_import(cast.partner_a)

    assert findings() == full_reconciliation()
    unregistered = customers(cast.partner_a, FindingKind.UNREGISTERED)
    assert "Orchard Lane Dental" in unregistered and "Orchard Lane Clinic" not in unregistered


def test_an_upload_deleted_takes_its_customers_findings_with_it(cast, sales, reconciled):
    imported(sales, cast.partner_a, [(date(2026, 3, 9), "AP-7", 300, "Pine Valley Bakery"),
                                     (date(2026, 3, 10), "SW-48", 900, "Cedar Atlas Foods")],
             new_upload=True)  # fmt: skip
    after_import(cast.partner_a)
    assert "Pine Valley Bakery" in customers(cast.partner_a, FindingKind.UNREGISTERED)

    Upload.objects.filter(pk=sales.uploads[cast.partner_a.pk].pk).delete()
    assert ReconciliationChange.objects.filter(end_customer="Pine Valley Bakery").exists()
    after_import(cast.partner_a)

    assert findings() == full_reconciliation()
    assert "Pine Valley Bakery" not in customers(cast.partner_a, FindingKind.UNREGISTERED)
    cedar = ReconciliationFinding.objects.get(
        partner=cast.partner_a, kind=FindingKind.UNREGISTERED, end_customer="Cedar Atlas Foods"
    )
    assert cedar.line_count == 2


def test_registrations_changed_since_the_last_run_reach_customers_the_import_did_not_touch(
    cast, sales, reconciled, deal
):
    # Meanwhile: partner B registers Cedar Atlas Foods (a conflict for A, whose import
    # does not name it), A's registration of Blue Harbor is lost (no match any more),
    # A wins Orchard Lane Clinic after its sales (a match), and A's won registration of
    # Quiet Customer AG is renamed so that its sales no longer match it.
    cedar = deal(cast.partner_b, cast.rep_b, "submitted", submitted=date(2026, 1, 3),
                 customer="Cedar Atlas Foods", skus=("SW-48",))  # fmt: skip
    event(cedar, DealEvent.Kind.SUBMITTED)
    harbor = reconciled["harbor"]
    Deal.objects.filter(pk=harbor.pk).update(status="lost")
    event(harbor, DealEvent.Kind.LOST)
    orchard = deal(cast.partner_a, cast.rep_a1, "won", submitted=date(2026, 2, 1),
                   decided_after_hours=24, customer="Orchard Lane Clinic", skus=("AP-7",),
                   final_amount="400", closed_on=date(2026, 3, 1))  # fmt: skip
    event(orchard, DealEvent.Kind.WON)
    won = reconciled["won"]
    won.customer_name = "Silent Partner Holdings"
    won.refresh_matching_keys()
    won.save()
    event(won, DealEvent.Kind.EDITED)
    imported(sales, cast.partner_a, [(date(2026, 4, 9), "AP-7", 300, "Pine Valley Bakery")],
             new_upload=True)  # fmt: skip
    after_import(cast.partner_a)

    assert findings() == full_reconciliation()
    assert customers(cast.partner_a, FindingKind.CONFLICT) == {
        "Granite Peak Mining",
        "Cedar Atlas Foods",
    }
    assert customers(cast.partner_a, FindingKind.MATCH) == {"Orchard Lane Clinic"}
    assert ReconciliationFinding.objects.filter(
        partner=cast.partner_a, kind=FindingKind.WON_NO_SALE, deal=won
    ).exists()


def test_decisions_stay_and_unchanged_findings_are_not_rewritten(cast, sales, reconciled):
    conflict = ReconciliationFinding.objects.get(partner=cast.partner_a, kind=FindingKind.CONFLICT)
    ReconciliationFinding.objects.filter(pk=conflict.pk).update(
        status=FindingStatus.CONFIRMED, seen_at=conflict.seen_at - timedelta(days=1)
    )
    untouched = ReconciliationFinding.objects.get(
        partner=cast.partner_a, end_customer="Orchard Lane Clinic"
    )
    imported(sales, cast.partner_a, [(date(2026, 3, 2), "SW-48", 100, "Cedar Atlas Foods")],
             new_upload=True)  # fmt: skip
    after_import(cast.partner_a)

    conflict.refresh_from_db()
    assert conflict.status == FindingStatus.CONFIRMED
    assert ReconciliationFinding.objects.get(pk=untouched.pk).seen_at == untouched.seen_at
    assert findings() == full_reconciliation()


def test_a_partner_never_reconciled_in_full_is_reconciled_in_full(cast, sales, deal):
    # Lines stored without the hook (a bulk load): only a full run knows about them.
    sales.add(cast.partner_a, date(2026, 1, 9), "SW-24", 1, 500, end_customer="Birch Hill Co")
    imported(sales, cast.partner_a, [(date(2026, 2, 9), "AP-7", 300, "Pine Valley Bakery")])
    after_import(cast.partner_a)

    assert customers(cast.partner_a, FindingKind.UNREGISTERED) == {
        "Birch Hill Co",
        "Pine Valley Bakery",
    }
    assert ReconciledPartner.objects.filter(partner_id=cast.partner_a.pk).exists()


def test_a_registration_recorded_reconciles_its_partner_from_what_changed(
    cast, sales, reconciled, deal, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        tasks.refresh_summaries, "delay_on_commit", lambda **kwargs: queued.append(kwargs)
    )
    orchard = deal(cast.partner_a, cast.rep_a1, "won", submitted=date(2026, 2, 1),
                   decided_after_hours=24, customer="Orchard Lane Clinic", skus=("AP-7",),
                   final_amount="400", closed_on=date(2026, 3, 1))  # fmt: skip
    event(orchard, DealEvent.Kind.WON)
    for hook in registry.deal_recorded_hooks():
        hook(DealEvent.objects.filter(deal=orchard).latest("id"))

    # The deal's partner's deal summaries and reconciliation, not its sales summaries.
    assert queued == [{"partner_ids": [cast.partner_a.pk], "sales": False, "deals": True}]
    counts = reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)
    # Orchard Lane's group and the won registrations' groups, nothing else.
    assert counts == {FindingKind.MATCH: 2}
    assert findings() == full_reconciliation()
    assert customers(cast.partner_a, FindingKind.MATCH) == {
        "Blue Harbor Logistics",
        "Quiet Customer AG",
        "Orchard Lane Clinic",
    }
    assert "Orchard Lane Clinic" not in customers(cast.partner_a, FindingKind.UNREGISTERED)


def test_lines_truncated_make_the_next_run_a_full_one(cast, sales, reconciled):
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE reporting_salesline")

    assert not ReconciledPartner.objects.exists()
    imported(sales, cast.partner_a, [(date(2026, 3, 9), "AP-7", 300, "Pine Valley Bakery")])
    after_import(cast.partner_a)
    assert customers(cast.partner_a, FindingKind.UNREGISTERED) == {"Pine Valley Bakery"}
    assert findings() == full_reconciliation()


def test_an_import_naming_most_of_a_large_partners_customers_runs_in_full(
    cast, sales, reconciled, monkeypatch
):
    from reporting.analytics import reconciliation

    # As if the partner's five customer groups were thousands: an import naming three
    # of them (and the won registration's) recomputes everything.
    monkeypatch.setattr(reconciliation, "FULL_RUN_MIN_GROUPS", 5)
    imported(sales, cast.partner_a, [(date(2026, 3, 2), "SW-48", 100, "Cedar Atlas Foods"),
                                     (date(2026, 3, 3), "AP-7", 100, "Orchard Lane Clinic"),
                                     (date(2026, 3, 4), "SW-24", 100, "Granite Peak Mining")],
             new_upload=True)  # fmt: skip
    counts = reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)

    assert sum(counts.values()) == 5  # every group's finding
    assert not ReconciliationChange.objects.exists()
    assert findings() == full_reconciliation()


def test_a_run_with_nothing_new_does_nothing(cast, sales, reconciled):
    # History entries that change nothing reconciliation compares (a reminder e-mailed,
    # the conflict check after a submission) are no reason to run.
    event(reconciled["harbor"], DealEvent.Kind.REMINDER_SENT)
    event(reconciled["rival"], DealEvent.Kind.CONFLICTS_CHECKED)
    seen = dict(ReconciliationFinding.objects.values_list("pk", "seen_at"))
    reconciled_at = ReconciledPartner.objects.get(partner_id=cast.partner_a.pk).reconciled_at

    assert reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True) == {}
    imported(sales, cast.partner_a, [(date(2026, 3, 9), "AP-7", 300, "Pine Valley Bakery")],
             new_upload=True)  # fmt: skip
    assert reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)
    assert reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True) == {}

    unchanged = ReconciliationFinding.objects.exclude(end_customer="Pine Valley Bakery")
    assert dict(unchanged.values_list("pk", "seen_at")) == seen
    assert ReconciledPartner.objects.get(partner_id=cast.partner_a.pk).reconciled_at == (
        reconciled_at
    )
    assert findings() == full_reconciliation()


def test_partners_reconciled_before_the_migration_are_reconciled_in_full_next(
    cast, sales, reconciled
):
    from django.db.migrations.executor import MigrationExecutor

    # The schema as it was (rolled back with the test), with a partner reconciled by the
    # code that kept the last history id: the id cannot be turned into a transaction.
    executor = MigrationExecutor(connection)
    executor.migrate([("analytics", "0012_reconciliation_changes")])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM analytics_reconciledpartner")
        cursor.execute(
            "INSERT INTO analytics_reconciledpartner (partner_id, reconciled_at, deal_event_id)"
            " VALUES (%s, now(), (SELECT coalesce(max(id), 0) FROM deals_dealevent))",
            [cast.partner_a.pk],
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("analytics"))
    assert not ReconciledPartner.objects.exists()

    # The import's run is a full one (every customer's finding), and records where the
    # next one starts.
    imported(sales, cast.partner_a, [(date(2026, 3, 9), "AP-7", 300, "Pine Valley Bakery")],
             new_upload=True)  # fmt: skip
    counts = reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True)
    assert sum(counts.values()) == 6
    assert ReconciledPartner.objects.get(partner_id=cast.partner_a.pk).deal_xmin > 0
    assert findings() == full_reconciliation()


def test_marks_and_history_restored_from_another_cluster_do_not_mislead_the_runs(
    cast, sales, reconciled
):
    # A logical restore into a new cluster: transaction ids start again, lower than the
    # kept ones. The partner's mark is ahead of every transaction: a full run resets it.
    ahead = 2**62
    ReconciledPartner.objects.filter(partner_id=cast.partner_a.pk).update(deal_xmin=ahead)
    imported(sales, cast.partner_a, [(date(2026, 3, 9), "AP-7", 300, "Pine Valley Bakery")],
             new_upload=True)  # fmt: skip
    assert sum(reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True).values()) == 6
    assert ReconciledPartner.objects.get(partner_id=cast.partner_a.pk).deal_xmin < ahead

    # A restored history entry ahead of every transaction is not read by every run.
    DealEvent.objects.create(deal=reconciled["harbor"], kind=DealEvent.Kind.EDITED, xact_id=ahead)
    assert reconcile_sales(partner_ids=[cast.partner_a.pk], changed_only=True) == {}
    assert findings() == full_reconciliation()
