"""The client's address, the one place that decides it (login throttling, the public
forms' throttles and the logs all ask here).

Behind reverse proxies REMOTE_ADDR is the nearest proxy. Each proxy appends the address
it received the request from to X-Forwarded-For, so with N trusted proxies in front of
the app the client is the N-th entry from the right; everything left of it was written
by the client and can be forged. With no trusted proxy (TRUSTED_PROXY_COUNT=0) the
header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the trusted proxies saw it (REMOTE_ADDR without them);
    None when the request carries none (a request built in code)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        hops = [
            hop.strip()
            for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        # Fewer hops than proxies: the request did not come through all of them.
        if len(hops) >= count:
            address = _valid(hops[-count])
            if address:
                return address
    return _valid(remote) or remote or None
