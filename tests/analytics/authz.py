"""Expected answers for the analytics URLs (dashboards, scorecards, reconciliation, rates)."""

from datetime import date
from decimal import Decimal

from tests.authz import (
    Expect,
    partner_a_object_for_staff,
    partner_admins_only,
    vendor_admin_only,
    vendor_staff_only,
)

REDIRECT = 302


def _finding_of_partner_a(cast) -> dict:
    from reporting.analytics.models import FindingKind, ReconciliationFinding

    finding, _ = ReconciliationFinding.objects.get_or_create(
        kind=FindingKind.UNREGISTERED,
        partner=cast.partner_a,
        deal=None,
        customer_key="authz customer",
        defaults={"end_customer": "Authz Customer"},
    )
    return {"pk": finding.pk}


def _rate(cast) -> dict:
    from reporting.analytics.models import ExchangeRate

    rate, _ = ExchangeRate.objects.get_or_create(
        currency="EUR",
        quote_currency="USD",
        valid_from=date(2026, 1, 1),
        defaults={"rate": Decimal("1.08")},
    )
    return {"pk": rate.pk}


EXPECTATIONS = {
    "analytics:dashboard": Expect(vendor_staff_only()),
    "analytics:leaderboard": Expect(vendor_staff_only()),
    "analytics:health": Expect(vendor_staff_only()),
    "analytics:scorecard": Expect(
        partner_a_object_for_staff(), kwargs=lambda cast: {"pk": cast.partner_a.pk}
    ),
    "analytics:reconciliation": Expect(vendor_staff_only()),
    "analytics:findings_export": Expect(vendor_staff_only(), kwargs=lambda cast: {"fmt": "csv"}),
    "analytics:finding_decide": Expect(
        vendor_staff_only(REDIRECT, cm_b=404),
        kwargs=_finding_of_partner_a,
        method="post",
        data=lambda cast: {"decision": "dismissed"},
    ),
    "analytics:rates": Expect(vendor_staff_only()),
    # An empty form: the admin gets the page back with its errors, everyone else is refused.
    "analytics:rate_create": Expect(vendor_admin_only(), method="post"),
    "analytics:rates_import": Expect(vendor_admin_only(REDIRECT), method="post"),
    "analytics:rate_edit": Expect(vendor_admin_only(), kwargs=_rate),
    "analytics:rate_delete": Expect(vendor_admin_only(REDIRECT), kwargs=_rate, method="post"),
    "analytics:export": Expect(
        vendor_staff_only(), kwargs=lambda cast: {"table": "partners", "fmt": "csv"}
    ),
    "analytics:my_scorecard": Expect(partner_admins_only()),
    "analytics:my_export": Expect(
        partner_admins_only(), kwargs=lambda cast: {"table": "months", "fmt": "xlsx"}
    ),
}
