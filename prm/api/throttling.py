"""Per-key request limits (a fixed window in the cache), answered with 429 + Retry-After."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle


class PerKeyThrottle(BaseThrottle):
    """At most `API_THROTTLE_RATE` requests per key per `API_THROTTLE_WINDOW` seconds.

    A fixed window counted with one atomic cache increment: cheap, and exact enough for
    protecting the service. The cache key function adds the schema, so two vendors' keys
    never share a counter.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        api_key = getattr(request, "api_key", None)
        if api_key is None:
            return True
        window = settings.API_THROTTLE_WINDOW
        now = time.time()
        self.window_ends = (int(now // window) + 1) * window
        self.now = now
        # The digest, not the id: ids restart with a new database, the cache may not.
        counter = f"api-throttle:{api_key.digest[:24]}:{int(now // window)}"
        cache.add(counter, 0, timeout=window + 1)
        try:
            count = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, timeout=window + 1)
            count = 1
        return count <= settings.API_THROTTLE_RATE

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.now)
