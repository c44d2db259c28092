"""How channel data quality plugs into the other apps at start-up (prm/core/extensions.py).

- the work queue: overdue reports wait on the partner's CM, customer spellings in the
  grey zone on vendor staff;
- the partner page: the reporting calendar and the latest score.
"""

from __future__ import annotations


def connect() -> None:
    from prm.core.extensions import registry
    from reporting.quality import views
    from reporting.quality.selectors import customers_to_review, overdue_reports

    registry.add_queue_source("overdue_reports", overdue_reports, order=60)
    registry.add_queue_source("customer_review", customers_to_review, order=70)
    registry.add_partner_section("quality", views.partner_section, order=30)
