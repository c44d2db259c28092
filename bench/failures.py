"""Failure drills on private servers: Redis restarted with queued tasks, PostgreSQL
restarted under requests, Celery workers killed during report imports.

    nice -n 10 .venv/bin/python bench/failures.py redis [--tasks 500]
    nice -n 10 .venv/bin/python bench/failures.py postgres [--seconds 12]
    nice -n 10 .venv/bin/python bench/failures.py imports [--kills 6] [--seed 7]

Never touches the machine's shared servers: `redis` starts its own redis-server on a
spare port (AOF on, as docs/operations.md asks for production), queues tasks with no
worker running, restarts Redis (graceful SHUTDOWN, then a SIGKILL crash), starts a worker
and counts the tasks that come back. `postgres` creates its own PostgreSQL cluster
(initdb, spare port), migrates it, provisions a vendor, serves the app with gunicorn,
requests a page every 50 ms while PostgreSQL is restarted, and reports what the users saw.
`imports` creates its own database (prm_bench_failimports, dropped and created again)
and redis-server, provisions a vendor with the four sample partners, imports 20 enlarged
copies of the shared sample reports once cleanly (in a second vendor: the line count each
must give), then queues them twice each on a real worker (prefork, concurrency 2), kills
the worker and its children with SIGKILL at random moments, starts it again, and runs the
stalled-import sweep (threshold --stall seconds) until every upload is done or failed;
then counts lost and duplicated lines per upload.
Prints one JSON document; progress on stderr.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_BIN = Path("/usr/lib/postgresql")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def spare_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


# --- Redis ----------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port, self.proc, self.aof = folder, port, None, True

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes" if self.aof else "no",
                "--appendfsync",
                "everysec",
                "--save",
                "",
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)
        # Loading the AOF: PING answers LOADING until done.
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.1)

    def cli(self, *args: str) -> str:
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True
        ).stdout.strip()

    def shutdown(self) -> None:
        self.cli("SHUTDOWN")
        self.proc.wait(timeout=20)

    def crash(self) -> None:
        time.sleep(1.5)  # appendfsync everysec: what was acknowledged >1 s ago is on disk
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def _queue_main(count: int, ids_file: str) -> None:
    """Child: queue `count` tasks in the public schema, write their ids."""
    import django

    django.setup()
    from prm.core.tasks import task_context

    ids = [task_context.delay().id for _ in range(count)]
    Path(ids_file).write_text("\n".join(ids))


def _collect_main(ids_file: str, timeout: float) -> None:
    import django

    django.setup()
    from celery.result import AsyncResult

    from prm.celery import app

    ids = Path(ids_file).read_text().split()
    deadline = time.monotonic() + timeout
    done, lost = 0, []
    for task_id in ids:
        result = AsyncResult(task_id, app=app)
        remaining = deadline - time.monotonic()
        try:
            if remaining > 0:
                result.get(timeout=remaining)
                done += 1
            elif result.ready():
                done += 1
            else:
                lost.append(task_id)
        except Exception:  # noqa: BLE001 - a timeout is a lost task
            lost.append(task_id)
    print(json.dumps({"queued": len(ids), "done": done, "lost": len(lost)}))


def redis_drill(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prm-redis-"))
    port = spare_port()
    redis = PrivateRedis(folder, port)
    env = dict(os.environ)
    env.update(
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        DJANGO_SETTINGS_MODULE="prm.settings",
        PYTHONPATH=str(REPO),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/prm_bench_none",
    )
    results: dict = {"redis_port": port, "tasks": args.tasks}
    worker = None
    try:
        # The last case is the control: no persistence (like a cache-only Redis) loses them.
        for how in ("graceful", "crash", "crash_without_aof"):
            redis.aof = how != "crash_without_aof"
            redis.start()
            ids = folder / f"ids-{how}.txt"
            log(f"{how}: queue {args.tasks} tasks, no worker running")
            subprocess.run(
                [PY, __file__, "_queue", str(args.tasks), str(ids)], cwd=REPO, env=env, check=True
            )
            before = int(redis.cli("LLEN", "celery") or 0)
            log(f"{how}: {before} messages in the queue; restarting Redis")
            redis.shutdown() if how == "graceful" else redis.crash()
            redis.start()
            after = int(redis.cli("LLEN", "celery") or 0)
            log(f"{how}: {after} messages after the restart; starting a worker")
            worker = subprocess.Popen(
                [
                    PY,
                    "-m",
                    "celery",
                    "-A",
                    "prm",
                    "worker",
                    "--concurrency=2",
                    "--loglevel=WARNING",
                    "-n",
                    f"drill-{os.getpid()}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait = "120" if after else "10"
            out = subprocess.run(
                [PY, __file__, "_collect", str(ids), wait],
                cwd=REPO,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            collected = json.loads(out)
            results[how] = {"queued_before": before, "queued_after_restart": after, **collected}
            log(f"{how}: {collected}")
            worker.terminate()
            worker.wait(timeout=30)
            worker = None
            redis.shutdown()
            for leftover in folder.glob("appendonly*"):
                shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        redis.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return results


# --- PostgreSQL -----------------------------------------------------------------------


def pg_tool(name: str) -> str:
    versions = sorted(PG_BIN.glob("*/bin/" + name))
    if not versions:
        raise SystemExit(f"{name} not found under {PG_BIN}")
    return str(versions[-1])


def as_postgres(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kwargs)


def postgres_drill(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prm-pg-"))
    shutil.chown(folder, "postgres") if os.geteuid() == 0 else None
    data = folder / "data"
    port, web_port = spare_port(), spare_port()
    pg_ctl = pg_tool("pg_ctl")
    as_postgres([pg_tool("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"])
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg(action: str, *extra: str) -> None:
        as_postgres(
            [
                pg_ctl,
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(folder / "pg.log"),
                "-w",
                *extra,
                action,
            ]
        )

    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/prm",
        DJANGO_SETTINGS_MODULE="prm.settings",
        PYTHONPATH=str(REPO),
        DEBUG="0",
        AXES_ENABLED="0",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        CONN_MAX_AGE="60",
    )
    web = None
    samples: list[tuple[float, int]] = []
    try:
        pg("start")
        as_postgres(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "prm"])
        log("migrate + provision a vendor on the private PostgreSQL")
        subprocess.run(
            [PY, "manage.py", "migrate_schemas", "--shared", "-v0"], cwd=REPO, env=env, check=True
        )
        subprocess.run(
            [
                PY,
                "manage.py",
                "create_vendor",
                "--schema",
                "acme",
                "--name",
                "Acme",
                "--domain",
                "acme.localhost",
            ],
            cwd=REPO,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        web = subprocess.Popen(
            [
                PY,
                "-m",
                "gunicorn",
                "prm.wsgi",
                "-b",
                f"127.0.0.1:{web_port}",
                "-w",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(folder / "web.log").open("w"),
        )
        wait_port(web_port)
        stop = threading.Event()
        started = time.monotonic()

        def hammer():
            while not stop.is_set():
                request = urllib.request.Request(
                    f"http://127.0.0.1:{web_port}/login/", headers={"Host": "acme.localhost"}
                )
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        status = response.status
                except urllib.error.HTTPError as exc:
                    status = exc.code
                except Exception:  # noqa: BLE001 - connection refused/reset
                    status = 0
                samples.append((time.monotonic() - started, status))
                time.sleep(0.05)

        thread = threading.Thread(target=hammer)
        thread.start()
        # Warm up: the workers have served a few pages before the database goes away.
        deadline = time.monotonic() + 60
        while sum(1 for _, status in samples if status == 200) < 10:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the web server never answered 200: {samples[-5:]}")
            time.sleep(0.1)
        log("stopping PostgreSQL (fast shutdown: open connections are cut)")
        down_at = time.monotonic() - started
        pg("stop", "-m", "fast")
        time.sleep(args.down)
        log("starting PostgreSQL again")
        pg("start")
        up_at = time.monotonic() - started
        time.sleep(args.after)
        stop.set()
        thread.join()
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=20)
        try:
            pg("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)

    def count(rows):
        return dict(collections.Counter(status for _, status in rows))

    before = [s for s in samples if s[0] < down_at]
    during = [s for s in samples if down_at <= s[0] < up_at]
    after = [s for s in samples if s[0] >= up_at]
    first_ok = next((t for t, status in after if status == 200), None)
    return {
        "requests": len(samples),
        "before_outage": count(before),
        "during_outage": count(during),
        "after_restart": count(after),
        "outage_s": round(up_at - down_at, 2),
        "first_200_after_restart_s": round(first_ok - up_at, 2) if first_ok else None,
        "non_200_after_first_200": sum(
            1 for t, s in after if first_ok and t > first_ok and s != 200
        ),
    }


# --- Imports --------------------------------------------------------------------------

SHARED = REPO / "tests" / "data" / "partner-reports"
# slug: (name, country, currency, sample file, its text encoding or None for XLSX)
SAMPLE_PARTNERS = {
    "northwind": ("Northwind Traders", "US", "USD", "northwind_pos_2026-09.csv", "utf-8"),
    "mueller": ("Müller IT GmbH", "DE", "EUR", "mueller_verkauf_2026-09.csv", "cp1252"),
    "saigon": ("Saigon Distribution", "VN", "VND", "saigon_doanhso_2026-09.xlsx", None),
    "lonestar": ("Lone Star Networks", "US", "USD", "lonestar_sales_sep.txt", "utf-16"),
}
INVOICE = re.compile(r"\b(NOR|MUE|LON|SAI)-2609-")
FAILDB = "prm_bench_failimports"


def _enlarged(slug: str, copies: int, folder: Path) -> Path:
    """The partner's sample with its data rows repeated `copies` times (invoice numbers
    made distinct per copy), in the sample's own format, encoding and line endings."""
    _name, _country, _currency, sample, encoding = SAMPLE_PARTNERS[slug]
    source, target = SHARED / sample, folder / f"{copies:05d}-{sample}"

    def renumber(value, copy: int):
        return INVOICE.sub(rf"\g<1>-2609-{copy:04d}-", value) if isinstance(value, str) else value

    if encoding is None:  # XLSX: title rows and header, the rows, the totals footer
        import openpyxl

        rows = list(
            openpyxl.load_workbook(source, read_only=True).active.iter_rows(values_only=True)
        )
        data = [
            i for i, row in enumerate(rows) if isinstance(row[0], str) and INVOICE.match(row[0])
        ]
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet("Doanh so")
        for row in rows[: data[0]]:
            sheet.append(row)
        for copy in range(copies):
            for i in data:
                sheet.append([renumber(value, copy) for value in rows[i]])
        for row in rows[data[-1] + 1 :]:
            sheet.append(row)
        book.save(target)
        return target
    raw = source.read_bytes()
    text = raw.decode(encoding)
    newline = "\r\n" if "\r\n" in text else "\n"
    header, *rows = [line for line in text.splitlines() if line.strip()]
    body = [renumber(row, copy) for copy in range(copies) for row in rows]
    target.write_bytes(newline.join([header, *body, ""]).encode(encoding))
    return target


def _provision(schema: str) -> dict:
    """A vendor with the four sample partners, the catalogue and their SKU aliases."""
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from partners.models import Partner

    call_command(
        "create_vendor",
        "--schema",
        schema,
        "--name",
        schema.title(),
        "--domain",
        f"{schema}.localhost",
        stdout=open(os.devnull, "w"),
    )
    with schema_context(schema):
        partners = {
            slug: Partner.objects.create(name=name, slug=slug, country=country, currency=cur)
            for slug, (name, country, cur, _file, _enc) in SAMPLE_PARTNERS.items()
        }
    call_command(
        "import_products",
        "--schema",
        schema,
        str(SHARED / "products.csv"),
        stdout=open(os.devnull, "w"),
    )
    call_command(
        "import_sku_aliases",
        "--schema",
        schema,
        str(SHARED / "sku_aliases.csv"),
        stdout=open(os.devnull, "w"),
    )
    return partners


class Worker:
    """A real Celery worker (prefork, concurrency 2) that can be killed like a crash."""

    def __init__(self, env: dict, folder: Path, concurrency: int):
        self.env, self.folder, self.concurrency = env, folder, concurrency
        self.proc, self.starts = None, 0

    def start(self) -> None:
        self.starts += 1
        log_file = (self.folder / f"worker-{self.starts}.log").open("w")
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "prm",
                "worker",
                "--pool=prefork",
                f"--concurrency={self.concurrency}",
                "--loglevel=INFO",
                "-n",
                f"failimports-{os.getpid()}-{self.starts}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=REPO,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> int:
        """SIGKILL the main process and its pool children at once; how many died."""
        import psutil

        try:
            main = psutil.Process(self.proc.pid)
            victims = [main, *main.children(recursive=True)]
        except psutil.NoSuchProcess:
            victims = []
        for victim in victims:
            try:
                victim.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        self.proc.wait(timeout=30)
        return len(victims)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


def imports_drill(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="prm-failimports-"))
    server = "postgres://postgres@127.0.0.1:5432"
    port = spare_port()
    redis = PrivateRedis(folder, port)
    redis.aof = False
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{server}/{args.database}",
        REDIS_URL=f"redis://127.0.0.1:{port}/0",
        DJANGO_SETTINGS_MODULE="prm.settings",
        PYTHONPATH=str(REPO),
        AXES_ENABLED="0",
        MEDIA_ROOT=str(folder / "media"),
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="WARNING",
        REPORTING_IMPORT_STALL_SECONDS=str(args.stall),
        REPORTING_IMPORT_MAX_ATTEMPTS=str(args.attempts),
    )
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    os.environ.clear()
    os.environ.update(env)

    def psql(sql: str) -> None:
        subprocess.run(
            ["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
            check=True,
            capture_output=True,
            text=True,
        )

    psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    psql(f"CREATE DATABASE {args.database}")
    redis.start()
    worker = Worker(env, folder, args.concurrency)
    try:
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        return _imports(args, folder, worker, redis)
    finally:
        worker.stop()
        redis.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        shutil.rmtree(folder, ignore_errors=True)


def _imports(args, folder: Path, worker: Worker, redis: PrivateRedis) -> dict:
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from reporting import importing, services
    from reporting.models import ImportRun, SalesLine, Upload, UploadStatus
    from reporting.quality.models import HeldLine
    from reporting.tasks import process_upload

    log(f"migrate {args.database}, provision the vendors acme (drill) and control (clean runs)")
    call_command("migrate_schemas", "--shared", verbosity=0)
    drill_partners, control_partners = _provision("acme"), _provision("control")

    files: list[tuple[str, Path]] = []
    (folder / "files").mkdir()
    slugs = list(SAMPLE_PARTNERS)
    for i in range(args.uploads):
        slug = slugs[i % len(slugs)]
        copies = args.scale * (1 + i // len(slugs))
        files.append((slug, _enlarged(slug, copies, folder / "files")))
    log(f"{len(files)} files, {sum(p.stat().st_size for _, p in files) >> 20} MiB")

    clean: dict[str, int] = {}
    started = time.monotonic()
    with schema_context("control"):
        for slug, path in files:
            summary = services.report_import(partner=control_partners[slug], path=path)
            if summary.status != UploadStatus.DONE:
                raise RuntimeError(f"{path.name} does not import cleanly: {summary}")
            # Rows already reported in an earlier copy of the same sample are held out
            # of the lines (reporting.quality): each row ends up in one of the two.
            clean[path.name] = (
                summary.lines + HeldLine.objects.filter(upload_id=summary.upload).count()
            )
    clean_seconds = time.monotonic() - started
    log(f"clean single runs: {sum(clean.values())} lines in {clean_seconds:.1f} s")
    # Their analytics refreshes (control schema) would only delay the drill's imports.
    redis.cli("DEL", "celery")

    uploads: dict[int, str] = {}
    with schema_context("acme"):
        for slug, path in files:
            with path.open("rb") as handle:
                upload = importing.receive(
                    partner=drill_partners[slug],
                    uploaded_by=None,
                    name=path.name,
                    chunks=[handle.read()],
                    queue=False,
                )
            uploads[upload.pk] = path.name
            importing.enqueue(upload)  # sent at once: no transaction is open here
        for upload_id in uploads:  # the same tasks delivered a second time, later
            process_upload.delay(upload_id)
    log(f"queued {len(uploads)} imports twice each; worker up, kills begin")
    started = time.monotonic()
    worker.start()

    rng = random.Random(args.seed)
    kills: list[dict] = []
    sweeps = {"runs": 0, "requeued": 0, "failed": 0}
    # A kill comes a random time after the worker (re)started, at the first moment after
    # it when imports are running: the point is to cut imports, not an idle worker.
    kill_after = started + rng.uniform(args.min_gap, args.max_gap)
    next_sweep = time.monotonic()
    deadline = time.monotonic() + args.timeout

    def open_runs() -> list[dict]:
        with schema_context("acme"):
            return list(
                ImportRun.objects.filter(finished_at__isnull=True).values("upload_id", "progress")
            )

    def unfinished() -> int:
        with schema_context("acme"):
            return Upload.objects.filter(
                status__in=[UploadStatus.QUEUED, UploadStatus.PROCESSING]
            ).count()

    while time.monotonic() < deadline:
        now = time.monotonic()
        running = open_runs() if len(kills) < args.kills and now >= kill_after else []
        if running:
            victims = worker.kill()
            kills.append(
                {
                    "at_s": round(now - started, 2),
                    "processes": victims,
                    "imports_cut": len(running),
                    "their_progress": sorted(run["progress"] for run in running),
                }
            )
            log(
                f"kill {len(kills)}: {victims} processes, {len(running)} imports cut "
                f"at {[run['progress'] for run in running]} %"
            )
            time.sleep(args.down)
            worker.start()
            kill_after = time.monotonic() + rng.uniform(args.min_gap, args.max_gap)
        if now >= next_sweep:
            with schema_context("acme"):
                result = services.stalled_imports_recover()
            sweeps["runs"] += 1
            sweeps["requeued"] += result["requeued"]
            sweeps["failed"] += result["failed"]
            if result["requeued"] or result["failed"]:
                log(f"sweep: {result}")
            next_sweep = now + args.sweep_every
            # Done when every upload is done or failed: with none left to run there is
            # nothing to cut either (imports faster than the kills end with fewer kills).
            if not unfinished():
                break
        time.sleep(0.1)
    wall = time.monotonic() - started
    worker.stop()

    per_upload, lost, duplicated, partial, silent_failures, extra_effects = [], 0, 0, 0, 0, 0
    with schema_context("acme"):
        for upload in Upload.objects.filter(pk__in=uploads).order_by("pk"):
            # A stored row is a sales line or a held duplicate (held in the same
            # transaction), so both are counted, and a row twice in either is doubled.
            rows = collections.Counter(
                list(
                    SalesLine.objects.filter(upload_id=upload.pk).values_list(
                        "source_row", flat=True
                    )
                )
                + list(
                    HeldLine.objects.filter(upload_id=upload.pk).values_list(
                        "source_row", flat=True
                    )
                )
            )
            count = sum(rows.values())
            doubled = sum(1 for n in rows.values() if n > 1)
            runs = list(upload.runs.order_by("started_at", "pk").values_list("status", "message"))
            done_runs = sum(1 for status, _message in runs if status == UploadStatus.DONE)
            expected = clean[uploads[upload.pk]]
            if upload.status == UploadStatus.DONE:
                lost += max(0, expected - count)
                extra_effects += done_runs - 1
            else:
                partial += count  # a failed import stores nothing
                silent_failures += not upload.message
            duplicated += doubled + max(0, count - expected)
            per_upload.append(
                {
                    "upload": upload.pk,
                    "file": uploads[upload.pk],
                    "status": upload.status,
                    "lines": count,
                    "clean_run_lines": expected,
                    "duplicate_source_rows": doubled,
                    "runs": len(runs),
                    "interrupted_runs": sum(1 for _s, m in runs if m.startswith("interrupted")),
                    "message": upload.message,
                }
            )
    outcomes = collections.Counter(row["status"] for row in per_upload)
    return {
        "uploads": len(uploads),
        "deliveries_per_upload": 2,
        "lines_expected": sum(clean.values()),
        "files_mib": round(sum(p.stat().st_size for _, p in files) / 2**20, 1),
        "worker": f"prefork, concurrency {args.concurrency}",
        "stall_threshold_s": args.stall,
        "max_attempts": args.attempts,
        "seed": args.seed,
        "kills": len(kills),
        "kill_points": kills,
        "worker_starts": worker.starts,
        "sweeps": sweeps,
        "outcomes": dict(outcomes),
        "unfinished": len(uploads) - outcomes["done"] - outcomes["failed"],
        "lost": lost,
        "duplicated": duplicated,
        "lines_in_failed_uploads": partial,
        "failed_without_message": silent_failures,
        "extra_effects": extra_effects,
        "clean_single_runs_s": round(clean_seconds, 1),
        "wall_s": round(wall, 1),
        "per_upload": per_upload,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="drill", required=True)
    r = sub.add_parser("redis")
    r.add_argument("--tasks", type=int, default=500)
    p = sub.add_parser("postgres")
    p.add_argument("--down", type=float, default=3.0, help="seconds PostgreSQL stays down")
    p.add_argument("--after", type=float, default=5.0, help="seconds measured after restart")
    i = sub.add_parser("imports")
    i.add_argument("--uploads", type=int, default=20)
    i.add_argument(
        "--scale",
        type=int,
        default=100,
        help="file n repeats its sample's rows scale * (1 + n // 4) times",
    )
    i.add_argument("--kills", type=int, default=6)
    i.add_argument("--min-gap", type=float, default=4.0, help="seconds from a start to a kill")
    i.add_argument("--max-gap", type=float, default=12.0, help="... at most (if imports run)")
    i.add_argument("--down", type=float, default=0.5, help="seconds before the restart")
    i.add_argument("--seed", type=int, default=7)
    i.add_argument("--stall", type=int, default=5, help="REPORTING_IMPORT_STALL_SECONDS")
    i.add_argument("--attempts", type=int, default=3, help="REPORTING_IMPORT_MAX_ATTEMPTS")
    i.add_argument("--sweep-every", type=float, default=2.0)
    i.add_argument("--concurrency", type=int, default=2)
    i.add_argument("--timeout", type=float, default=900)
    i.add_argument("--keep", action="store_true", help="keep the database afterwards")
    i.add_argument("--database", default=FAILDB, help="the drill's own database (dropped)")
    args = parser.parse_args()
    drills = {"redis": redis_drill, "postgres": postgres_drill, "imports": imports_drill}
    result = drills[args.drill](args)
    print(json.dumps({"drill": args.drill, **result}, indent=2))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_queue":
        sys.path.insert(0, str(REPO))
        _queue_main(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "_collect":
        sys.path.insert(0, str(REPO))
        _collect_main(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit(main())
