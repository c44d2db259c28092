"""The channel manager's work queue: what waits on this user, from every app.

There is no queue table: each app registers a source that returns the items waiting on
a user, already scoped by its own selectors. Partner applications are registered by
`channels.apps`; deals and reporting add theirs the same way (in their AppConfig.ready):

    from channels.queue import QueueItem, register_queue_source
    register_queue_source("deals", deals_waiting_on)

A source is called as `source(user)` and must run a fixed number of queries (the
workspace page has a query budget), returning at most `limit` items plus a total.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class QueueItem:
    kind: str  # short label shown as a badge, e.g. "Application"
    title: str
    url: str
    waiting_since: datetime
    detail: str = ""


@dataclass(frozen=True)
class QueueSection:
    key: str
    items: list[QueueItem]
    total: int


QueueSource = Callable[..., tuple[list[QueueItem], int]]

_sources: dict[str, QueueSource] = {}


def register_queue_source(key: str, source: QueueSource) -> None:
    """Add (or replace, on re-import) the source named `key`."""
    _sources[key] = source


def work_queue(user, *, limit: int = 20) -> list[QueueItem]:
    """Every waiting item for `user`, oldest first (the oldest waits longest)."""
    items: list[QueueItem] = []
    for source in _sources.values():
        found, _total = source(user, limit=limit)
        items.extend(found)
    return sorted(items, key=lambda item: item.waiting_since)[:limit]


def queue_count(user) -> int:
    return sum(source(user, limit=0)[1] for source in _sources.values())
