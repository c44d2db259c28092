"""Celery work of analytics: take ids, call a service, safe to run twice.

Summaries are rebuilt by delete-and-insert in one transaction under an advisory lock, so
a retried or duplicated task produces the same rows.
"""

from celery import shared_task

from reporting.analytics import selectors, services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_summaries(
    partner_ids: list[int] | None = None,
    sales: bool = True,
    deals: bool = True,
    changed_months_only: bool = False,
) -> None:
    """Rebuild sales/deal summaries and reconciliation for ``partner_ids`` (None: all),
    then rank every partner again for the vendor-wide leaderboard (kept in the cache).
    ``changed_months_only``: the sales summaries of the months whose lines changed."""
    services.refresh_all(
        partner_ids=partner_ids,
        sales=sales,
        deals=deals,
        changed_months_only=changed_months_only,
    )
    if sales:
        selectors.warm_vendor_ranking()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_everything() -> None:
    """Nightly safety net (beat): every summary of every partner of the tenant."""
    services.refresh_all(partner_ids=None)
    selectors.warm_vendor_ranking()
