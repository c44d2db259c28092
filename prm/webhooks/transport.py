"""One HTTP POST to a checked webhook target, connected to exactly the checked addresses.

The connection goes to `Target.addresses` (resolved and checked once, in
`prm.webhooks.targets.resolve_target`), while the Host header, TLS SNI and the
certificate check use the name from the URL. No redirect is followed, no proxy from the
environment is used: both would send the request somewhere that was not checked.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings

from prm.webhooks.targets import Target


@dataclass
class Answer:
    status: int
    body: bytes
    location: str


def _connect(addresses: tuple[str, ...], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of `addresses` that answers (all of them checked)."""
    error: OSError | None = None
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((address, port))
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self):
        self.sock = _connect(self._addresses, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float, context: ssl.SSLContext):
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._addresses = target.addresses

    def connect(self):
        sock = _connect(self._addresses, self.port, self.timeout)
        try:
            # server_hostname: SNI and the certificate's name check are on the URL's name.
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _tls_context() -> ssl.SSLContext:
    # WEBHOOKS_CA_FILE: a private CA to trust instead of the system's (tests, on-premises).
    return ssl.create_default_context(cafile=settings.WEBHOOKS_CA_FILE or None)


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float, keep: int):
    """POST `body`; the answer's status, first `keep` bytes and any `Location`."""
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout, _tls_context())
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(keep), response.getheader("location", ""))
    finally:
        connection.close()
