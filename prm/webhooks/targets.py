"""Which URLs a webhook may be sent to.

In production, only public addresses: a vendor admin must not be able to make our servers
POST to the database, the metadata service or anything else on our private network. In
development (`WEBHOOKS_ALLOW_PRIVATE_TARGETS`, on unless PRM_ENV=production) loopback and
private addresses are allowed, so a receiver on the developer's machine works.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def check_target(url: str) -> None:
    """Raise ValidationError when `url` may not receive webhooks here.

    Checked when the endpoint is registered and again before every attempt, since a host
    name can be pointed at another address later.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Enter an http:// or https:// URL."), code="url")
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    if parts.scheme != "https":
        raise ValidationError(_("Webhook URLs must use https://."), code="url")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError:
        raise ValidationError(
            _("The webhook URL's host name does not resolve."), code="url"
        ) from None
    if any(_refused(info[4][0]) for info in infos):
        raise ValidationError(
            _("Webhook URLs must point to a public address, not a private or local one."),
            code="private_target",
        )
