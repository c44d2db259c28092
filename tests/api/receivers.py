"""Real local servers and a DNS of our own for the webhook delivery tests.

- `FakeDns`: what `WEBHOOKS_RESOLVER` points at in the tests; each name answers a list of
  address lists in turn (the last one repeats), like a rebinding DNS server would.
- `Receiver`: an HTTP or HTTPS server on a chosen address and port that records each POST
  with its headers; `status` and `headers` are what it answers.
- `Trap`: a bare TCP listener that only counts connections: where nothing may arrive.
- `tls_files(folder)`: a CA and a certificate for `receiver.test` signed by it (openssl).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class FakeDns:
    answers: dict[str, list[list[str]]] = {}
    calls: list[str] = []

    @classmethod
    def reset(cls, **names: list[list[str]]) -> None:
        cls.answers = {name.replace("_", "."): list(lists) for name, lists in names.items()}
        cls.calls = []

    @classmethod
    def resolve(cls, host: str, port: int) -> list[str]:
        cls.calls.append(host)
        lists = cls.answers.get(host)
        if not lists:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return lists.pop(0) if len(lists) > 1 else lists[0]


def fake_resolve(host: str, port: int) -> list[str]:
    return FakeDns.resolve(host, port)


RESOLVER = "tests.api.receivers.fake_resolve"


class Receiver:
    def __init__(
        self,
        address: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
        status: int = 204,
    ):
        self.requests: list[tuple[dict, bytes]] = []
        self.status = status
        self.headers: dict[str, str] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((address, port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://{address}:{self.port}/hooks/prm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait(self, count: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.requests) >= count, f"{len(self.requests)} of {count} POSTs arrived"


class Trap:
    """Counts TCP connections to `address:port`; answers nothing."""

    def __init__(self, address: str, port: int = 0):
        self.connections = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.1)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        self.sock.close()


def receiver_and_trap(tls: ssl.SSLContext | None = None, trap_address: str = "127.0.0.2"):
    """A receiver on 127.0.0.1 and a trap on `trap_address` with the same port number."""
    for _ in range(20):
        receiver = Receiver("127.0.0.1", 0, tls)
        try:
            return receiver, Trap(trap_address, receiver.port)
        except OSError:  # that port is taken on the other address: try another one
            receiver.server.server_close()
    raise RuntimeError("no port free on both addresses")


def tls_files(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, cert.pem, key.pem): a CA, and a certificate for receiver.test it signed."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Test CA",
        "-keyout", "ca.key", "-out", "ca.pem",
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=receiver.test",
        "-keyout", "key.pem", "-out", "cert.csr",
    )  # fmt: skip
    (folder / "san.cnf").write_text("subjectAltName=DNS:receiver.test\n")
    openssl(
        "x509", "-req", "-in", "cert.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "san.cnf", "-out", "cert.pem",
    )  # fmt: skip
    return folder / "ca.pem", folder / "cert.pem", folder / "key.pem"


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
