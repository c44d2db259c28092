"""Failure drills on private servers: Redis restarted with queued tasks, PostgreSQL
restarted under requests.

    nice -n 10 .venv/bin/python bench/failures.py redis [--tasks 500]
    nice -n 10 .venv/bin/python bench/failures.py postgres [--seconds 12]

Never touches the machine's shared servers: `redis` starts its own redis-server on a
spare port (AOF on, as docs/operations.md asks for production), queues tasks with no
worker running, restarts Redis (graceful SHUTDOWN, then a SIGKILL crash), starts a worker
and counts the tasks that come back. `postgres` creates its own PostgreSQL cluster
(initdb, spare port), migrates it, provisions a vendor, serves the app with gunicorn,
requests a page every 50 ms while PostgreSQL is restarted, and reports what the users saw.
Prints one JSON document; progress on stderr.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
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
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.folder), "--appendonly", "yes" if self.aof else "no",
             "--appendfsync", "everysec",
             "--save", "", "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)
        # Loading the AOF: PING answers LOADING until done.
        for _ in range(100):
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.1)

    def cli(self, *args: str) -> str:
        return subprocess.run(["redis-cli", "-p", str(self.port), *args],
                              capture_output=True, text=True).stdout.strip()

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
    env.update(REDIS_URL=f"redis://127.0.0.1:{port}/0", DJANGO_SETTINGS_MODULE="prm.settings",
               PYTHONPATH=str(REPO), DATABASE_URL="postgres://postgres@127.0.0.1:5432/prm_bench_none")
    results: dict = {"redis_port": port, "tasks": args.tasks}
    worker = None
    try:
        # The last case is the control: no persistence (like a cache-only Redis) loses them.
        for how in ("graceful", "crash", "crash_without_aof"):
            redis.aof = how != "crash_without_aof"
            redis.start()
            ids = folder / f"ids-{how}.txt"
            log(f"{how}: queue {args.tasks} tasks, no worker running")
            subprocess.run([PY, __file__, "_queue", str(args.tasks), str(ids)], cwd=REPO,
                           env=env, check=True)
            before = int(redis.cli("LLEN", "celery") or 0)
            log(f"{how}: {before} messages in the queue; restarting Redis")
            redis.shutdown() if how == "graceful" else redis.crash()
            redis.start()
            after = int(redis.cli("LLEN", "celery") or 0)
            log(f"{how}: {after} messages after the restart; starting a worker")
            worker = subprocess.Popen(
                [PY, "-m", "celery", "-A", "prm", "worker", "--concurrency=2",
                 "--loglevel=WARNING", "-n", f"drill-{os.getpid()}@%h", "--without-gossip",
                 "--without-mingle"],
                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            wait = "120" if after else "10"
            out = subprocess.run([PY, __file__, "_collect", str(ids), wait], cwd=REPO, env=env,
                                 check=True, capture_output=True, text=True).stdout
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
        as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-l", str(folder / "pg.log"),
                     "-w", *extra, action])

    env = dict(os.environ)
    env.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/prm",
               DJANGO_SETTINGS_MODULE="prm.settings", PYTHONPATH=str(REPO), DEBUG="0",
               AXES_ENABLED="0", REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
               CONN_MAX_AGE="60")
    web = None
    samples: list[tuple[float, int]] = []
    try:
        pg("start")
        as_postgres(["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "prm"])
        log("migrate + provision a vendor on the private PostgreSQL")
        subprocess.run([PY, "manage.py", "migrate_schemas", "--shared", "-v0"], cwd=REPO,
                       env=env, check=True)
        subprocess.run([PY, "manage.py", "create_vendor", "--schema", "acme", "--name", "Acme",
                        "--domain", "acme.localhost"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        web = subprocess.Popen(
            [PY, "-m", "gunicorn", "prm.wsgi", "-b", f"127.0.0.1:{web_port}", "-w", "2",
             "--log-level", "warning"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=(folder / "web.log").open("w"),
        )
        wait_port(web_port)
        stop = threading.Event()
        started = time.monotonic()

        def hammer():
            while not stop.is_set():
                request = urllib.request.Request(f"http://127.0.0.1:{web_port}/login/",
                                                 headers={"Host": "acme.localhost"})
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
        "non_200_after_first_200": sum(1 for t, s in after if first_ok and t > first_ok
                                       and s != 200),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="drill", required=True)
    r = sub.add_parser("redis")
    r.add_argument("--tasks", type=int, default=500)
    p = sub.add_parser("postgres")
    p.add_argument("--down", type=float, default=3.0, help="seconds PostgreSQL stays down")
    p.add_argument("--after", type=float, default=5.0, help="seconds measured after restart")
    args = parser.parse_args()
    result = redis_drill(args) if args.drill == "redis" else postgres_drill(args)
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
