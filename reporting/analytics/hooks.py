"""How analytics plugs into the other apps at start-up.

- tier progress (partners): yearly sales come from the sales summaries;
- deals: every recorded change of a registration (a DealEvent, written only by
  `deals.services`, which calls the registry's deal-recorded hooks) queues a rebuild of
  that partner's deal summaries and reconciliation once the transaction commits;
- partners: a new partner, or one whose CM may have changed, has its figures filed
  under its CM again (bulk reassignments are caught when the CM next reads them). This
  one stays a `post_save` signal of `partners.Partner`: partners are also created and
  edited outside `partners.services` (the Django admin's partner form, the partner CSV
  import in `partners.imports`, the demo data), so a hook called by the services would
  miss those writes;
- reporting timeliness (reporting.quality): when each partner's first report of a month
  arrived, read from the monthly sales summary;
- the work queue: open conflicts and won deals without sales wait on the partner's CM;
- the partner page: a scorecard summary with a link to the scorecard;
- prm.core.money: the tenant's exchange rates, for pricing deals in the partner's currency;
- the menu and the demo data.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models.signals import post_save


def connect() -> None:
    from django.utils.translation import gettext_lazy as _

    from prm.accounts.models import Role
    from prm.core.extensions import NavItem, registry
    from reporting.analytics import demo, views
    from reporting.analytics.selectors import findings_waiting_on, yearly_sales_source
    from reporting.analytics.services import RateTable

    vendor = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
    registry.add_nav_item(NavItem("analytics:dashboard", _("Analytics"), vendor, order=120))
    registry.add_nav_item(
        NavItem("analytics:my_scorecard", _("My figures"), (Role.PARTNER_ADMIN,), order=130)
    )
    registry.add_sales_source("analytics", yearly_sales_source)
    registry.add_sales_changed_hook("analytics", _sales_changed)
    registry.add_deal_recorded_hook("analytics", _deal_recorded)
    registry.add_month_reported_source("analytics", _month_first_reported)
    registry.add_rate_loader("analytics", RateTable.load)
    registry.add_queue_source("reconciliation", findings_waiting_on, order=50)
    registry.add_partner_section("scorecard", views.partner_section, order=20)
    # Rates before deals: deals of EUR and VND partners are priced with them.
    registry.add_demo_seeder("analytics-rates", demo.seed_rates, order=25)
    # Last: rates, reconciling registrations and summaries over the imported reports.
    registry.add_demo_seeder("analytics", demo.seed, order=50)
    post_save.connect(_partner_saved, sender="partners.Partner", dispatch_uid="analytics-partner")


def _sales_changed(partner_ids: list[int], added_months: list[date]) -> None:
    from reporting.analytics.models import ReconciliationChange, SalesChangedMonth
    from reporting.analytics.services import queue_refresh

    # Lines changed, nothing else: no deal summary moves, only the months whose lines
    # changed are summarised again, and only their end customers are reconciled again.
    # Removed and updated lines are noted by triggers on the lines; added ones here, in
    # the writer's transaction (a trigger on INSERT would keep every line of a
    # million-line COPY until commit: 0.5 s of the import).
    pairs = [(partner_id, month) for partner_id in partner_ids for month in added_months]
    SalesChangedMonth.objects.bulk_create(
        SalesChangedMonth(partner_id=partner_id, month=month) for partner_id, month in pairs
    )
    ReconciliationChange.objects.bulk_create(
        ReconciliationChange(partner_id=partner_id, month=month) for partner_id, month in pairs
    )
    queue_refresh(partner_ids=partner_ids, deals=False, changed_months_only=True)


def _deal_recorded(event) -> None:
    from deals.models import DealEvent

    # Reminders and conflict checks change nothing the deal summaries count.
    if event.kind in (DealEvent.Kind.REMINDER_SENT, DealEvent.Kind.CONFLICTS_CHECKED):
        return
    from reporting.analytics.services import queue_refresh

    queue_refresh(partner_ids=[event.deal.partner_id], sales=False)


def _month_first_reported(partner_ids: list[int], month: date) -> dict[int, datetime]:
    from django.db.models import Min

    from prm.core.sql import one_of
    from reporting.analytics.models import SalesMonth

    rows = (
        SalesMonth.objects.filter(partner_id__in=one_of(partner_ids), month=month)
        .order_by()
        .values_list("partner_id")
        .annotate(first=Min("first_reported_at"))
    )
    return {partner_id: first for partner_id, first in rows if first is not None}


def _partner_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if not created and update_fields is not None and "channel_manager" not in update_fields:
        return
    from reporting.analytics.services import queue_refresh

    queue_refresh(partner_ids=[instance.pk], deals=False)
