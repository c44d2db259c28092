"""What a web process does once its application is loaded, before its first request.

A full collection of Python's cyclic garbage collector walks every object the process
holds. A loaded PRM process holds ~130,000 (modules, classes, functions, URL patterns,
model metadata), none of which ever becomes garbage, and walking them took 55-90 ms on a
2-core machine; the collection runs every few requests that build thousands of rows (the
vendor admin's work queue reads 5,000 partners), so it was the p95 of such pages: 140-165
ms against a p50 of 65-70 ms. Moving those objects to the collector's permanent generation
(`gc.freeze`, as large Django deployments do after startup) leaves each collection only
the objects requests made.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver


def settle() -> int:
    """Import every view now (the URL confs import them on the first request otherwise),
    then freeze what is loaded. Returns how many objects were frozen."""
    for urlconf in {settings.ROOT_URLCONF, getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)}:
        if urlconf:
            get_resolver(urlconf).url_patterns  # noqa: B018 - imports the views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
