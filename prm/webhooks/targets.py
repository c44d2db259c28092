"""Which URLs a webhook may be sent to, and the addresses it may be sent to.

In production, only public addresses: a vendor admin must not be able to make our servers
POST to the database, the metadata service or anything else on our private network. In
development (`WEBHOOKS_ALLOW_PRIVATE_TARGETS`, on unless PRM_ENV=production) loopback and
private addresses are allowed, so a receiver on the developer's machine works.
`WEBHOOKS_ALLOWED_NETWORKS` lets an operator allow chosen private networks in production.

A host name is resolved once per attempt (`resolve_target`) and the delivery connects to
exactly the addresses that were checked (`prm.webhooks.transport`): resolving again at
connect time would let a name answer a public address to the check and 127.0.0.1 to the
connection (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges that carry an IPv4 address a gateway or tunnel would connect to: the
# embedded address decides (64:ff9b::a9fe:a9fe is the metadata service behind NAT64).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d form


@dataclass(frozen=True)
class Target:
    """A webhook URL with the addresses it was checked against; connect only to these."""

    scheme: str
    host: str  # the name from the URL: Host header, TLS SNI and certificate check
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for `host` (TCP)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [info[4][0] for info in infos]


def _resolver():
    return import_string(settings.WEBHOOKS_RESOLVER)


@cache
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in spec)


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]  # the client's address
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """True for an address on the public internet (unicast, globally routable).

    Refused: loopback, 0.0.0.0 and ::, private (10/8, 172.16/12, 192.168/16, fc00::/7),
    link-local (169.254/16, fe80::/10), carrier-grade NAT (100.64/10), documentation,
    benchmarking, reserved and multicast ranges, and IPv6 forms that carry such an IPv4
    address (mapped, compatible, 6to4, Teredo, NAT64).
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a zone index: link-local anyway
    embedded = _embedded_ipv4(ip)
    if embedded is not None and not is_public(str(embedded)):
        return False
    return ip.is_global and not ip.is_multicast


def address_allowed(address: str) -> bool:
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS or is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return any(ip in network for network in _networks(tuple(settings.WEBHOOKS_ALLOWED_NETWORKS)))


def resolve_target(url: str) -> Target:
    """Check `url` and resolve its host once; raise ValidationError when it may not be used.

    Every address the name resolves to must be allowed (a name with one private address
    among public ones is refused: which one a connection would use is not ours to choose).
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise ValidationError(_("Enter an http:// or https:// URL."), code="url")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS and parts.scheme != "https":
        raise ValidationError(_("Webhook URLs must use https://."), code="url")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = tuple(dict.fromkeys(_resolver()(parts.hostname, port)))
    except (OSError, UnicodeError):
        addresses = ()
    if not addresses:
        raise ValidationError(_("The webhook URL's host name does not resolve."), code="url")
    try:
        refused = [address for address in addresses if not address_allowed(address)]
    except ValueError:  # a resolver that answered something that is not an address
        refused = list(addresses)
    if refused:
        raise ValidationError(
            _("Webhook URLs must point to a public address, not a private or local one."),
            code="private_target",
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses)


def check_target(url: str) -> None:
    """Raise ValidationError when `url` may not receive webhooks here (at registration)."""
    resolve_target(url)
