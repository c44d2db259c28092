"""The channel manager's work queue: what waits on this user, from every app.

There is no queue table: each app adds a source to the registry in its own
AppConfig.ready (`registry.add_queue_source`, prm/core/extensions.py) that returns the
items waiting on a user, already scoped by its own selectors.
"""

from prm.core.extensions import QueueItem, registry

__all__ = ["QueueItem", "queue_count", "work_queue"]


def work_queue(user, *, limit: int = 20) -> list[QueueItem]:
    """Every waiting item for `user`, oldest first (the oldest waits longest)."""
    items: list[QueueItem] = []
    for source in registry.queue_sources():
        found, _total = source(user, limit=limit)
        items.extend(found)
    return sorted(items, key=lambda item: item.waiting_since)[:limit]


def queue_count(user) -> int:
    return sum(source(user, limit=0)[1] for source in registry.queue_sources())
