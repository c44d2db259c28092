"""Reconciliation of reported sales with registrations: match, no match, conflict,
near-miss names, won deals without sales; CM decisions survive re-runs."""

from datetime import date
from decimal import Decimal

import pytest

from reporting.analytics import services
from reporting.analytics.models import FindingKind, FindingStatus, ReconciliationFinding

APPROVED_ON = date(2026, 1, 10)  # protected for 90 days: until 2026-04-10


@pytest.fixture
def claims(cast, deal):
    return {
        "harbor": deal(
            cast.partner_a,
            cast.rep_a1,
            "approved",
            submitted=date(2026, 1, 9),
            decided_after_hours=24,
            customer="Blue Harbor Logistics Inc.",
            skus=("SW-24",),
        ),
        "quiet": deal(
            cast.partner_a,
            cast.rep_a2,
            "won",
            submitted=date(2026, 1, 9),
            decided_after_hours=24,
            customer="Quiet Customer AG",
            skus=("AP-7",),
            final_amount="900",
            closed_on=date(2026, 2, 1),
        ),
    }


def findings(partner, kind):
    return list(
        ReconciliationFinding.objects.filter(partner=partner, kind=kind).order_by("end_customer")
    )


def test_it_matches_a_sale_inside_the_protection_period(cast, sales, claims):
    sales.add(
        cast.partner_a, date(2026, 2, 1), "SW-24", 2, "2400", end_customer="BLUE HARBOR LOGISTICS"
    )
    services.reconcile_sales()

    [match] = findings(cast.partner_a, FindingKind.MATCH)
    assert match.deal == claims["harbor"]
    assert match.line_count == 1 and match.amount_reporting == 2400
    assert not findings(cast.partner_a, FindingKind.UNREGISTERED)


def test_it_matches_a_near_miss_spelling_but_not_a_different_company(cast, sales, claims):
    sales.add(
        cast.partner_a, date(2026, 2, 2), "SW-24", 1, "1200", end_customer="Blue Harbour Logistic"
    )
    sales.add(
        cast.partner_a, date(2026, 2, 3), "SW-24", 1, "1200", end_customer="Blue Ocean Logistics"
    )
    services.reconcile_sales()

    [match] = findings(cast.partner_a, FindingKind.MATCH)
    assert match.end_customer == "Blue Harbour Logistic" and match.name_score >= 85
    [unregistered] = findings(cast.partner_a, FindingKind.UNREGISTERED)
    assert unregistered.end_customer == "Blue Ocean Logistics"


def test_it_reports_sales_without_a_registration(cast, sales, claims):
    sales.add(cast.partner_a, date(2026, 2, 1), "SW-24", 1, "1200", end_customer="Zephyr Foods")
    sales.add(
        cast.partner_a, date(2026, 9, 1), "SW-24", 1, "1200", end_customer="Blue Harbor Logistics"
    )  # after the protection ended
    sales.add(
        cast.partner_a, date(2026, 2, 1), "SW-48", 1, "2100", end_customer="Blue Harbor Logistics"
    )  # a product not registered
    services.reconcile_sales()

    assert not findings(cast.partner_a, FindingKind.MATCH)
    customers = [f.end_customer for f in findings(cast.partner_a, FindingKind.UNREGISTERED)]
    assert customers == ["Blue Harbor Logistics", "Zephyr Foods"]


def test_it_flags_a_sale_to_a_customer_another_partner_registered(cast, sales, claims):
    sales.add(
        cast.partner_b,
        date(2026, 3, 1),
        "SW-24",
        1,
        "1000",
        end_customer="Blue Harbor Logistics GmbH",
        currency="USD",
    )
    services.reconcile_sales()

    [conflict] = findings(cast.partner_b, FindingKind.CONFLICT)
    assert conflict.deal == claims["harbor"]
    assert not findings(cast.partner_b, FindingKind.UNREGISTERED)


def test_it_lists_won_deals_without_reported_sales(cast, sales, claims):
    sales.add(
        cast.partner_a, date(2026, 2, 1), "SW-24", 1, "1200", end_customer="Blue Harbor Logistics"
    )
    services.reconcile_sales()

    [won] = findings(cast.partner_a, FindingKind.WON_NO_SALE)
    assert won.deal == claims["quiet"] and won.line_count == 0


def test_it_keeps_a_cms_decision_when_it_runs_again(cast, client_for, sales, claims):
    sales.add(
        cast.partner_b, date(2026, 3, 1), "SW-24", 1, "1000", end_customer="Blue Harbor Logistics"
    )
    services.reconcile_sales()
    [conflict] = findings(cast.partner_b, FindingKind.CONFLICT)

    response = client_for(cast.cm_b).post(
        f"/analytics/reconciliation/{conflict.pk}/decide/",
        {"decision": "confirmed", "comment": "told them"},
    )
    assert response.status_code == 302
    sales.add(
        cast.partner_b, date(2026, 3, 2), "SW-24", 1, "500", end_customer="Blue Harbor Logistics"
    )
    services.reconcile_sales(partner_ids=[cast.partner_b.pk])

    conflict.refresh_from_db()
    assert conflict.status == FindingStatus.CONFIRMED and conflict.line_count == 2
    assert conflict.decided_by == cast.cm_b


def test_it_hides_findings_outside_the_cms_partners(cast, client_for, sales, claims):
    sales.add(cast.partner_a, date(2026, 2, 1), "SW-24", 1, "1200", end_customer="Zephyr Foods")
    services.reconcile_sales()
    [finding] = findings(cast.partner_a, FindingKind.UNREGISTERED)

    client = client_for(cast.cm_b)
    assert "Zephyr" not in client.get("/analytics/reconciliation/").content.decode()
    assert (
        client.post(
            f"/analytics/reconciliation/{finding.pk}/decide/", {"decision": "dismissed"}
        ).status_code
        == 404
    )
    assert "Zephyr" in client_for(cast.cm_a).get("/analytics/reconciliation/").content.decode()


def test_it_answers_a_decision_with_the_row_partial(cast, client_for, sales, claims):
    sales.add(cast.partner_a, date(2026, 2, 1), "SW-24", 1, "1200", end_customer="Zephyr Foods")
    services.reconcile_sales()
    [finding] = findings(cast.partner_a, FindingKind.UNREGISTERED)

    response = client_for(cast.cm_a).post(
        f"/analytics/reconciliation/{finding.pk}/decide/",
        {"decision": "dismissed"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="finding-{finding.pk}"') and "Dismissed" in body


def test_the_pages_counts_follow_every_change_of_the_findings(cast, client_for, sales, claims):
    """The dashboard and the reconciliation page count findings from kept counts: each
    reconciliation, decision and deletion shows in the next page, for every scope."""
    sales.add(cast.partner_a, date(2026, 2, 1), "SW-24", 1, "1200", end_customer="Zephyr Foods")
    sales.add(
        cast.partner_b, date(2026, 3, 1), "SW-24", 1, "1000", end_customer="Blue Harbor Logistics"
    )
    readers = {
        cast.vendor_admin: [cast.partner_a, cast.partner_b],
        cast.cm_a: [cast.partner_a],
        cast.cm_b: [cast.partner_b],
    }

    def shown(user, **params):
        page = client_for(user).get("/analytics/reconciliation/", params).context
        dashboard = client_for(user).get("/analytics/").context
        return page["counts"], page["page"].paginator.count, dashboard["findings"]

    def recounted(partners, status=FindingStatus.OPEN):
        rows = ReconciliationFinding.objects.filter(partner__in=partners, status=status)
        by_kind = {kind: rows.filter(kind=kind).count() for kind in FindingKind.values}
        return by_kind, rows.count()

    def assert_pages_show_the_findings():
        for user, partners in readers.items():
            by_kind, total = recounted(partners)
            assert shown(user) == (by_kind, total, by_kind), user
            dismissed = recounted(partners, FindingStatus.DISMISSED)[1]
            assert shown(user, status="dismissed")[1] == dismissed, user

    services.reconcile_sales()
    assert recounted([cast.partner_a])[0][FindingKind.UNREGISTERED] == 1
    assert_pages_show_the_findings()

    [zephyr] = findings(cast.partner_a, FindingKind.UNREGISTERED)
    client_for(cast.cm_a).post(
        f"/analytics/reconciliation/{zephyr.pk}/decide/", {"decision": "dismissed"}
    )
    assert_pages_show_the_findings()
    assert shown(cast.cm_a, status="dismissed")[1] == 1

    sales.add(cast.partner_a, date(2026, 2, 3), "SW-24", 1, "80", end_customer="Ostrava Mills")
    services.reconcile_sales(partner_ids=[cast.partner_a.pk])
    assert_pages_show_the_findings()
    assert shown(cast.cm_a)[0][FindingKind.UNREGISTERED] == 1  # Ostrava; Zephyr is dismissed

    ReconciliationFinding.objects.filter(partner=cast.partner_b).delete()
    assert_pages_show_the_findings()
    assert shown(cast.cm_b)[1] == 0


def test_it_finds_the_partners_own_registration_among_many_rivals_of_the_same_name(
    cast, sales, deal
):
    # Six older rival registrations of the very same name come first by id; only a few
    # candidates are scored per customer, and the partner's own must be one of them.
    rivals = [
        deal(
            cast.partner_b,
            cast.rep_b,
            "submitted",
            submitted=date(2026, 1, 2 + day),
            customer="Blue Harbor Logistics",
        )
        for day in range(6)
    ]
    own = deal(
        cast.partner_a,
        cast.rep_a1,
        "approved",
        submitted=date(2026, 1, 9),
        decided_after_hours=24,
        customer="Blue Harbor Logistics",
    )
    sales.add(
        cast.partner_a, date(2026, 2, 1), "SW-24", 1, "1200", end_customer="Blue Harbor Logistics"
    )
    services.reconcile_sales(partner_ids=[cast.partner_a.pk])

    [match] = findings(cast.partner_a, FindingKind.MATCH)
    assert match.deal == own
    conflicts = findings(cast.partner_a, FindingKind.CONFLICT)
    assert {c.deal_id for c in conflicts} <= {r.pk for r in rivals}
    assert conflicts, "the rivals' registrations of the same customer are a conflict too"


# --- Names matched once and kept (reporting.analytics.reconciliation) -----------------------


def finding_rows(partners):
    """Every finding of ``partners`` as a user reads it, independent of row ids."""
    return sorted(
        ReconciliationFinding.objects.filter(partner__in=partners).values_list(
            "kind",
            "partner_id",
            "deal_id",
            "end_customer",
            "line_count",
            "amount_reporting",
            "name_score",
        ),
        key=str,
    )


def test_a_registration_of_a_customer_already_reported_is_matched_on_the_next_run(
    cast, sales, deal
):
    sales.add(cast.partner_a, date(2026, 2, 1), "SW-24", 3, "3600", end_customer="Zephyr Foods")
    services.reconcile_sales(partner_ids=[cast.partner_a.pk])
    assert [f.end_customer for f in findings(cast.partner_a, FindingKind.UNREGISTERED)] == [
        "Zephyr Foods"
    ]

    # The reported name was matched (with no registration) on the first run; a
    # registration of a new name must still be found.
    registration = deal(
        cast.partner_a,
        cast.rep_a1,
        "approved",
        submitted=date(2026, 1, 9),
        decided_after_hours=24,
        customer="Zephyr Foods GmbH",
        skus=("SW-24",),
    )
    services.reconcile_sales(partner_ids=[cast.partner_a.pk])

    [match] = findings(cast.partner_a, FindingKind.MATCH)
    assert match.deal == registration and match.amount_reporting == 3600
    assert match.line_count == 1
    assert not findings(cast.partner_a, FindingKind.UNREGISTERED)


def test_stored_name_matches_give_the_findings_of_a_first_run(cast, sales, claims, deal, eur_rate):
    from reporting.analytics.models import (
        CustomerNameMatch,
        RegisteredCustomerName,
        SaleCustomerName,
    )

    deal(
        cast.partner_b,
        cast.rep_b,
        "submitted",
        submitted=date(2026, 1, 20),
        customer="Zephyr Foods",
    )
    for partner, day, customer, amount in (
        (cast.partner_a, date(2026, 2, 1), "BLUE HARBOR LOGISTICS", "2400"),
        (cast.partner_a, date(2026, 2, 2), "Blue Harbour Logistic", "1200"),
        (cast.partner_a, date(2026, 2, 3), "Zephyr Foods Ltd", "700"),
        (cast.partner_b, date(2026, 3, 1), "Blue Harbor Logistics GmbH", "1000"),
        (cast.partner_b, date(2026, 3, 2), "Quiet Customer", "900"),
    ):
        currency = "EUR" if customer == "Zephyr Foods Ltd" else "USD"
        sales.add(partner, day, "SW-24", 1, amount, end_customer=customer, currency=currency)
    # No GBP rate: the line counts, its amount cannot be converted (0).
    sales.add(
        cast.partner_b,
        date(2026, 3, 3),
        "SW-24",
        1,
        "50",
        end_customer="Quiet Customer",
        currency="GBP",
    )
    partners = [cast.partner_a, cast.partner_b]
    services.reconcile_sales()
    first = finding_rows(partners)
    assert SaleCustomerName.objects.count() == 5

    services.reconcile_sales()  # from the stored keys and matches
    assert finding_rows(partners) == first
    ReconciliationFinding.objects.all().delete()
    services.reconcile_sales()
    assert finding_rows(partners) == first

    # What the first run found, in figures a CM checks against the lines added above.
    found = {
        (kind, customer): (count, amount) for kind, _p, _d, customer, count, amount, _s in first
    }
    assert found[(FindingKind.MATCH, "BLUE HARBOR LOGISTICS")] == (1, 2400)
    assert found[(FindingKind.MATCH, "Blue Harbour Logistic")] == (1, 1200)
    assert found[(FindingKind.CONFLICT, "Zephyr Foods Ltd")] == (1, Decimal("770"))  # 700 EUR
    assert found[(FindingKind.CONFLICT, "Blue Harbor Logistics GmbH")] == (1, 1000)
    assert found[(FindingKind.UNREGISTERED, "Quiet Customer")] == (2, 900)  # not its product
    # Emptied (as after a change of the matching rules), the tables fill again the same.
    CustomerNameMatch.objects.all().delete()
    RegisteredCustomerName.objects.all().delete()
    SaleCustomerName.objects.all().delete()
    services.reconcile_sales()
    assert finding_rows(partners) == first


def test_reconciling_every_partner_in_batches_gives_the_findings_of_one_run(
    cast, sales, claims, deal, monkeypatch
):
    from reporting.analytics import reconciliation

    # The partner's own registration of a name six rivals registered first: it is not
    # among the name's best for any partner, so a batch must read it as the partner's own.
    for day in range(6):
        deal(
            cast.partner_b,
            cast.rep_b,
            "submitted",
            submitted=date(2026, 1, 2 + day),
            customer="Nord Cedar Bank",
        )
    own = deal(
        cast.partner_a,
        cast.rep_a1,
        "approved",
        submitted=date(2026, 1, 9),
        decided_after_hours=24,
        customer="Nord Cedar Bank",
    )
    for partner, day, customer in (
        (cast.partner_a, date(2026, 2, 1), "Nord Cedar Bank Ltd"),
        (cast.partner_a, date(2026, 2, 2), "Blue Harbor Logistics"),
        (cast.partner_b, date(2026, 3, 1), "Blue Harbor Logistics"),
        (cast.partner_b, date(2026, 3, 2), "Nord Cedar Bank"),
        (cast.partner_b, date(2026, 3, 3), "Zephyr Foods"),
    ):
        sales.add(partner, day, "SW-24", 1, "100", end_customer=customer)
    partners = [cast.partner_a, cast.partner_b]
    services.reconcile_sales()
    in_one_run = finding_rows(partners)
    ReconciliationFinding.objects.all().delete()

    monkeypatch.setattr(reconciliation, "RECONCILE_BATCH", 1)
    services.reconcile_all()

    assert finding_rows(partners) == in_one_run
    [match] = ReconciliationFinding.objects.filter(
        partner=cast.partner_a, kind=FindingKind.MATCH, end_customer="Nord Cedar Bank Ltd"
    )
    assert match.deal == own
