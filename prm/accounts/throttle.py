"""Fixed-window request counters in the cache (Redis), for e-mail-sending public forms.

Each counter is keyed by a scope and a value (a client address, an e-mail address); the
cache key function adds the vendor's schema, so vendors never share counters. The window
starts at the first hit and the counter expires with it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window_seconds: int

    def key(self, value: str) -> str:
        # Hashed: keys stay short and free of spaces whatever the visitor typed.
        digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}"

    def hit(self, value: str) -> bool:
        """Count one request for `value`; True while it is within the limit."""
        key = self.key(value)
        cache.add(key, 0, timeout=self.window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=self.window_seconds)
            count = 1
        return count <= self.limit

    def reset(self, value: str) -> None:
        cache.delete(self.key(value))


def hit_all(*checks: tuple[Throttle, str]) -> bool:
    """Count the request in every throttle (no short cut, so none can be dodged by
    tripping another first); True when all are within their limits."""
    results = [throttle.hit(value) for throttle, value in checks]
    return all(results)


def reset_all() -> int:
    """Forget every throttle counter of every vendor (tests, and an operator after an
    incident); returns how many counters were dropped."""
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match="*throttle:*", count=1000))
    if keys:
        client.delete(*keys)
    return len(keys)
