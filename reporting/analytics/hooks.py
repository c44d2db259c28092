"""How analytics plugs into the other apps at start-up (each hook only if the app offers it).

- partners.tiers: yearly sales for tier progress come from the sales summaries;
- deals: every recorded change of a registration (a DealEvent) queues a rebuild of that
  partner's deal summaries and reconciliation once the transaction commits;
- partners: a new partner, or one whose CM may have changed, has its figures filed
  under its CM again (bulk reassignments are caught when the CM next reads them);
- channels.queue: open conflicts and won deals without sales wait on the partner's CM;
- partners.views: the partner page shows a scorecard summary with a link to the scorecard;
- prm.core.money: the tenant's exchange rates, for pricing deals in the partner's currency.
"""

from __future__ import annotations

from django.db.models.signals import post_save

#: The scorecard summary shown on the vendor's partner page (partners.views).
PARTNER_SECTION = "reporting.analytics.views.partner_section"


def connect() -> None:
    from prm.core import money
    from reporting.analytics.selectors import yearly_sales_source
    from reporting.analytics.services import RateTable

    if RateTable.load not in money.rate_loaders:
        money.rate_loaders.append(RateTable.load)

    try:
        from partners import tiers
    except ImportError:
        tiers = None
    if tiers is not None and yearly_sales_source not in tiers.yearly_sales_sources:
        tiers.yearly_sales_sources.append(yearly_sales_source)
    post_save.connect(
        _deal_event_saved, sender="deals.DealEvent", dispatch_uid="analytics-deal-event"
    )
    post_save.connect(_partner_saved, sender="partners.Partner", dispatch_uid="analytics-partner")
    try:
        from channels.queue import register_queue_source
    except ImportError:
        register_queue_source = None
    if register_queue_source is not None:
        from reporting.analytics.selectors import findings_waiting_on

        register_queue_source("reconciliation", findings_waiting_on)
    try:
        from partners import views as partner_views
    except ImportError:
        partner_views = None
    sections = getattr(partner_views, "PARTNER_DETAIL_SECTIONS", None)
    if sections is not None and PARTNER_SECTION not in sections:
        sections.append(PARTNER_SECTION)


def _deal_event_saved(sender, instance, created, **kwargs) -> None:
    if not created or kwargs.get("raw"):
        return
    from deals.models import DealEvent

    if instance.kind in (DealEvent.Kind.REMINDER_SENT, DealEvent.Kind.CONFLICTS_CHECKED):
        return
    from reporting.analytics.services import queue_refresh

    queue_refresh(partner_ids=[instance.deal.partner_id], sales=False)


def _partner_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if not created and update_fields is not None and "channel_manager" not in update_fields:
        return
    from reporting.analytics.services import queue_refresh

    queue_refresh(partner_ids=[instance.pk], deals=False)
