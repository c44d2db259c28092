"""How analytics plugs into the other apps at start-up (each hook only if the app offers it).

- partners.tiers: yearly sales for tier progress come from the sales summaries;
- deals: every recorded change of a registration (a DealEvent) queues a rebuild of that
  partner's deal summaries and reconciliation once the transaction commits;
- channels.queue: open reconciliation findings wait on the partner's CM.
"""

from __future__ import annotations

from django.db.models.signals import post_save


def connect() -> None:
    from reporting.analytics.selectors import yearly_sales_source

    try:
        from partners import tiers
    except ImportError:
        tiers = None
    if tiers is not None and yearly_sales_source not in tiers.yearly_sales_sources:
        tiers.yearly_sales_sources.append(yearly_sales_source)
    post_save.connect(_deal_event_saved, sender="deals.DealEvent",
                      dispatch_uid="analytics-deal-event")


def _deal_event_saved(sender, instance, created, **kwargs) -> None:
    if not created or kwargs.get("raw"):
        return
    from deals.models import DealEvent

    if instance.kind in (DealEvent.Kind.REMINDER_SENT, DealEvent.Kind.CONFLICTS_CHECKED):
        return
    from reporting.analytics.services import queue_refresh

    queue_refresh(partner_ids=[instance.deal.partner_id], sales=False)
