"""Page latency under load: gunicorn with the production settings, 10 tenants, 16 users.

    nice -n 10 .venv/bin/python bench/load.py > bench/results/load.json

Creates its own database (prm_bench_load by default; refuses one that exists), migrates
it, provisions --tenants vendors (load0..load9.localhost) with the demo cast and the apps'
demo seeders (prm.seeding.demo.seed_vendor: partners, deals, imported reports, figures),
collects static files into a temporary STATIC_ROOT and starts gunicorn on 127.0.0.1 with
PRM_ENV=production (SECURE_SSL_REDIRECT=false: no TLS proxy on loopback). Then --users
threads (plain http.client, one session each, logged in through the login form before the
clock starts) drive a mix across the tenants, in phases of --seconds (or --max-requests)
that differ in think time (--think 0,2: back to back, which measures the throughput
ceiling; then users pausing about 2 s between requests, like people clicking):

- partner reps (half the users): deal list, registration form, register and submit a deal,
  its page, their notifications;
- channel managers (a quarter): workspace queue, review queue, a submitted deal, its
  conflict panel (htmx), approve or reject it, the partner directory search (htmx);
- partner admins (a quarter): report list, upload form, upload a small CSV, its page,
  its progress partial (htmx), their partner's scorecard (htmx);
- everyone, once per round: /health/, a trivial tenant-routed page (the stack's ceiling).

Prints one JSON document with p50/p95/p99, count and error rate per page (htmx partials
listed separately); progress on stderr. Uploads are received, not imported (no Celery
worker: the queue entries in the bench's own Redis database are deleted at the end).
Drops the database and the temporary folders at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "prm-demo-2026"  # prm.seeding.demo.DEMO_PASSWORD
PARTNERS = ("northwind", "mueller", "saigon", "lonestar")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def psql_admin(sql: str, *, server: str) -> None:
    subprocess.run(
        ["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
    )


PROVISION = """
import dataclasses, sys, time
import django
django.setup()
from prm.seeding import demo
from prm.tenancy.services import public_site_ensure
public_site_ensure(domain="localhost")
for n in range(int(sys.argv[1])):
    started = time.monotonic()
    spec = dataclasses.replace(demo.ACME, schema=f"load{n}", name=f"Load Vendor {n}")
    demo.seed_vendor(spec)
    print(f"load{n} {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
"""


# --- The client ----------------------------------------------------------------------


class Session:
    """One user's cookies on one tenant host, over loopback."""

    def __init__(self, port: int, host: str):
        self.port, self.host = port, host
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, str, str]:
        headers = {"Host": self.host, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # gunicorn's sync workers close the connection
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                if attempt == 2:
                    raise
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        if response.headers.get("Connection", "").lower() == "close":
            self.conn.close()
        return (
            response.status,
            response.headers.get("Location", ""),
            data.decode("utf-8", errors="replace"),
        )

    def csrf(self) -> str:
        return next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")

    def post_form(self, path: str, fields: dict, **kwargs):
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.csrf(),
            },
            **kwargs,
        )

    def post_file(self, path: str, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
                f"\r\n\r\n{self.csrf()}\r\n"
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-CSRFToken": self.csrf(),
            },
        )

    def login(self, email: str) -> None:
        self.request("GET", "/login/")
        status, location, body = self.post_form(
            "/login/", {"username": email, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(
                f"login of {email} on {self.host} answered {status}: "
                f"{body[:1500]} (cookies {sorted(self.cookies)})"
            )


class Recorder:
    def __init__(self, think: float = 0.0):
        self.think = think
        self.random = random.Random(7)
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: dict[str, str] = {}

    def timed(
        self,
        session: Session,
        name: str,
        method: str,
        path: str,
        *,
        ok=(200, 302),
        htmx: bool = False,
        **kwargs,
    ):
        if htmx:
            kwargs["headers"] = {**kwargs.get("headers", {}), "HX-Request": "true"}
            name = f"{name} [htmx]"
        started = time.perf_counter()
        try:
            if method == "FORM":
                result = session.post_form(path, kwargs.pop("fields"))
            elif method == "FILE":
                result = session.post_file(path, *kwargs.pop("file"))
            else:
                result = session.request(method, path, **kwargs)
        except Exception as error:  # noqa: BLE001 - counted as an error of the page
            result = (599, "", repr(error))
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[name].append(elapsed)
            if result[0] not in ok:
                self.errors[name] += 1
                self.samples.setdefault(name, f"{result[0]} {path} {result[2][:300]}")
            pause = self.think * (0.5 + self.random.random())
        if pause:
            time.sleep(pause)
        return result


FIRST_DEAL = re.compile(r'href="/deals/(\d+)/"')
PRODUCT = re.compile(r'name="lines-0-product"[^>]*>.*?<option value="(\d+)"', re.S)
VERSION = re.compile(r'name="version" value="(\d+)"')
UPLOAD = re.compile(r"/reports/(\d+)/")


def rep_round(s: Session, rec: Recorder, n: int, state: dict) -> None:
    rec.timed(s, "deal list", "GET", "/deals/")
    _, _, page = rec.timed(s, "deal form", "GET", "/deals/new/")
    product = state.get("product") or (PRODUCT.search(page) or [None, None])[1]
    state["product"] = product
    customer = f"Load Customer {uuid.uuid4().hex[:8]}"
    status, location, _ = rec.timed(
        s,
        "register deal (POST)",
        "FORM",
        "/deals/new/",
        fields={
            "customer_name": customer,
            "customer_domain": f"{customer[-8:]}.example",
            "customer_country": "US",
            "contact_name": "Dana Buyer",
            "expected_close_date": (date.today() + timedelta(days=60)).isoformat(),
            "lines-TOTAL_FORMS": "5",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "50",
            "lines-0-product": product or "",
            "lines-0-quantity": "2",
            "submit": "1",
        },
        ok=(302,),
    )
    if status == 302:
        rec.timed(s, "deal detail", "GET", urlsplit(location).path)
    rec.timed(s, "notifications", "GET", "/deals/notifications/")


def cm_round(s: Session, rec: Recorder, n: int, state: dict) -> None:
    rec.timed(s, "workspace (CM queue)", "GET", "/workspace/")
    _, _, page = rec.timed(s, "review queue", "GET", "/deals/review/")
    found = FIRST_DEAL.search(page)
    if found:
        path = f"/deals/{found[1]}/"
        _, _, detail = rec.timed(s, "deal detail (CM)", "GET", path)
        rec.timed(s, "conflict panel", "GET", f"{path}?partial=conflicts", htmx=True)
        version = VERSION.search(detail)
        if version:
            action = "approve" if n % 2 else "reject"
            rec.timed(
                s,
                "decide deal (POST)",
                "FORM",
                f"{path}decide/",
                fields={"version": version[1], "action": action, "comment": "Checked under load."},
            )
    rec.timed(s, "partner directory search", "GET", "/partners/?q=a", htmx=True)


def uploader_round(s: Session, rec: Recorder, n: int, state: dict) -> None:
    rec.timed(s, "report list", "GET", "/reports/")
    rec.timed(s, "upload form", "GET", "/reports/upload/")
    invoice = uuid.uuid4().hex[:10]
    report = (
        "Invoice Number,Invoice Date,End Customer,SKU,Quantity,Unit Price,Currency\n"
        + "".join(
            f"{invoice}-{i},2026-09-0{1 + i % 9},Load End Customer {i},"
            f"AN-FW-100,{1 + i},1387.50,USD\n"
            for i in range(20)
        )
    ).encode()
    status, location, _ = rec.timed(
        s,
        "upload report (POST)",
        "FILE",
        "/reports/upload/",
        file=(f"load-{invoice}.csv", report),
        ok=(302,),
    )
    if status == 302:
        path = urlsplit(location).path
        rec.timed(s, "upload detail", "GET", path)
        if UPLOAD.match(path):
            rec.timed(s, "upload progress", "GET", f"{path}progress/", htmx=True)
    rec.timed(s, "partner scorecard", "GET", "/analytics/my/", htmx=True)


def user_plan(index: int, tenants: int) -> tuple[str, str, object]:
    """(host, e-mail, round) of virtual user `index`: half reps, a quarter CMs, a quarter
    partner admins, spread over the tenants; a CM shares a tenant with reps of the
    partners they manage (cm1: northwind, mueller; cm2: saigon, lonestar)."""
    host = f"load{index % tenants}.localhost"
    kind = (index // tenants + index) % 4
    slug = PARTNERS[(index // tenants) % len(PARTNERS)]
    if kind in (0, 2):
        return host, f"rep@{slug}.example", rep_round
    if kind == 1:
        return host, f"cm{1 + PARTNERS.index(slug) // 2}@acme.example", cm_round
    return host, f"admin@{slug}.example", uploader_round


def login_all(port: int, users: int, tenants: int) -> list:
    sessions = []
    for index in range(users):
        host, email, round_ = user_plan(index, tenants)
        session = Session(port, host)
        session.login(email)
        sessions.append((session, round_, email))
    return sessions


def drive(sessions: list, seconds: float, max_requests: int, think: float) -> dict:
    """Every user runs rounds until the time or the request budget is spent, pausing a
    random 0.5-1.5 x `think` seconds after each request (0: back to back)."""
    rec = Recorder(think)
    users = len(sessions)
    log(f"{users} users driving for {seconds:.0f}s, think time {think}s")
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(users)

    def run(session, round_):
        barrier.wait()
        state: dict = {}
        n = 0
        while time.monotonic() < stop and sum(map(len, rec.times.values())) < max_requests:
            round_(session, rec, n, state)
            rec.timed(session, "/health/ (ceiling)", "GET", "/health/")
            n += 1

    threads = [threading.Thread(target=run, args=(s, r)) for s, r, _ in sessions]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started

    def pct(values, q):
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    pages = {}
    for name in sorted(rec.times):
        values = rec.times[name]
        pages[name] = {
            "count": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": pct(values, 0.95),
            "p99_ms": pct(values, 0.99),
            "error_rate": round(rec.errors[name] / len(values), 4),
        }
    total = sum(len(v) for v in rec.times.values())
    groups = {"pages": [], "htmx partials": [], "ceiling (/health/)": []}
    for name, values in rec.times.items():
        group = (
            "ceiling (/health/)"
            if name.startswith("/health/")
            else "htmx partials"
            if name.endswith("[htmx]")
            else "pages"
        )
        groups[group].extend(values)
    summary = {
        group: {
            "count": len(values),
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": pct(values, 0.95),
            "p99_ms": pct(values, 0.99),
        }
        for group, values in groups.items()
        if values
    }
    return {
        "think_s": think,
        "wall_s": round(wall, 1),
        "requests": total,
        "rps": round(total / wall, 1),
        "errors": sum(rec.errors.values()),
        "error_samples": rec.samples,
        "loadavg_end": os.getloadavg(),
        "summary": summary,
        "pages": pages,
    }


# --- Setting up and tearing down -----------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="prm_bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8871)
    parser.add_argument("--seconds", type=float, default=60, help="per phase")
    parser.add_argument(
        "--think",
        default="0,2",
        help="think times (s) of the phases, e.g. 0,2: back to back, then "
        "users who pause about 2 s between requests",
    )
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    temp = Path(tempfile.mkdtemp(prefix="prm-load-"))
    env = dict(
        os.environ,
        DATABASE_URL=f"{args.server}/{args.database}",
        REDIS_URL=args.redis,
        DJANGO_SETTINGS_MODULE="prm.settings",
        PRM_ENV="production",
        SECURE_SSL_REDIRECT="false",
        SECRET_KEY=f"bench-load-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        ALLOWED_HOSTS=".localhost",
        STATIC_ROOT=str(temp / "static"),
        MEDIA_ROOT=str(temp / "media"),
        LOG_LEVEL="WARNING",
        CACHE_KEY_PREFIX="load",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    results: dict = {
        "tenants": args.tenants,
        "users": args.users,
        "workers": args.workers,
        "seconds": args.seconds,
        "database": args.database,
        "commit": subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
        "loadavg_start": os.getloadavg(),
    }

    def manage(*command):
        subprocess.run(
            [PY, "manage.py", *command], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL
        )

    psql_admin(f'CREATE DATABASE "{args.database}"', server=args.server)
    gunicorn = None
    try:
        log("migrate_schemas --shared, migrate_template")
        manage("migrate_schemas", "--shared", "-v0")
        manage("migrate_template")
        log(f"provision {args.tenants} vendors with the demo cast and seeders")
        started = time.monotonic()
        subprocess.run(
            [PY, "-c", PROVISION, str(args.tenants)],
            cwd=REPO,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        results["provision_s"] = round(time.monotonic() - started, 1)
        log("collectstatic")
        manage("collectstatic", "--noinput", "-v0")
        log(f"gunicorn, {args.workers} workers on 127.0.0.1:{args.port}")
        gunicorn = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "prm.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{args.port}",
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(temp / "gunicorn.log", "w"),
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if Session(args.port, "load0.localhost").request("GET", "/health/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or gunicorn.poll() is not None:
                raise RuntimeError((temp / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.5)
        sessions = login_all(args.port, args.users, args.tenants)
        results["users_by_tenant"] = [f"{s.host} {email}" for s, _, email in sessions]
        results["phases"] = [
            drive(sessions, args.seconds, args.max_requests, float(think))
            for think in args.think.split(",")
        ]
        results["gunicorn_log_tail"] = (temp / "gunicorn.log").read_text()[-2000:]
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        if not args.keep:
            log(f"drop {args.database}")
            psql_admin(
                f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)', server=args.server
            )
            shutil.rmtree(temp, ignore_errors=True)
            subprocess.run(
                [
                    PY,
                    "-c",
                    "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
                    args.redis,
                ],
                check=False,
            )
    json.dump(results, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
