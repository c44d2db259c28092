"""How channel data quality plugs into the other apps at start-up.

- channels.queue: overdue reports wait on the partner's CM, customer
  spellings in the grey zone on vendor staff.
"""

from __future__ import annotations


def connect() -> None:
    try:
        from channels.queue import register_queue_source
    except ImportError:
        register_queue_source = None
    if register_queue_source is not None:
        from reporting.quality.selectors import customers_to_review, overdue_reports

        register_queue_source("overdue_reports", overdue_reports)
        register_queue_source("customer_review", customers_to_review)
