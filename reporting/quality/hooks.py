"""How channel data quality plugs into the other apps at start-up.

- channels.queue: overdue reports wait on the partner's CM, customer
  spellings in the grey zone on vendor staff;
- partners.views: the partner page shows the reporting calendar and the latest score.
"""

from __future__ import annotations

#: The reporting calendar shown on the vendor's partner page (partners.views).
PARTNER_SECTION = "reporting.quality.views.partner_section"


def connect() -> None:
    try:
        from channels.queue import register_queue_source
    except ImportError:
        register_queue_source = None
    if register_queue_source is not None:
        from reporting.quality.selectors import customers_to_review, overdue_reports

        register_queue_source("overdue_reports", overdue_reports)
        register_queue_source("customer_review", customers_to_review)
    try:
        from partners import views as partner_views
    except ImportError:
        partner_views = None
    sections = getattr(partner_views, "PARTNER_DETAIL_SECTIONS", None)
    if sections is not None and PARTNER_SECTION not in sections:
        sections.append(PARTNER_SECTION)
