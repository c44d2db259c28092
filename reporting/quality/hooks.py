"""How channel data quality plugs into the other apps at start-up.

- channels.queue: overdue reports wait on the partner's CM.
"""

from __future__ import annotations


def connect() -> None:
    try:
        from channels.queue import register_queue_source
    except ImportError:
        register_queue_source = None
    if register_queue_source is not None:
        from reporting.quality.selectors import overdue_reports

        register_queue_source("overdue_reports", overdue_reports)
