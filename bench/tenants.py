"""Tenants at scale: provisioning time and `migrate_schemas` time with many tenants.

    nice -n 10 .venv/bin/python bench/tenants.py --tenants 500 > bench/results/tenants.json

Creates its own database (prm_bench_tenants by default; refuses to touch one that exists)
and drops it at the end. Measures, each as a separate process like an operator would run it:

1. `migrate_schemas --shared` and `migrate_template` on an empty database;
2. provisioning (`prm.tenancy.services.vendor_create`, the one entry point) of a few
   vendors with the template clone and with every migration run instead;
3. provisioning --tenants vendors (the clone path), per-vendor percentiles;
4. `migrate_schemas --tenant` with nothing to apply: standard and multiprocessing executor;
5. one new migration (bench/benchapp v1 -> v2 -> v3) with each executor, and
   `migrate_template` for it.

Runs on a snapshot of the committed code (`git archive HEAD` in a temporary folder), so
uncommitted work in the tree cannot change the figures mid-run. Prints one JSON document;
progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def snapshot_of_head() -> tuple[Path, str]:
    """The committed tree in a temporary folder (with this checkout's .venv linked in)."""
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix="prm-bench-"))
    archive = subprocess.Popen(["git", "-C", str(REPO), "archive", "HEAD"], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True)
    archive.wait()
    (folder / ".venv").symlink_to(REPO / ".venv")
    return folder, commit


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def psql_admin(sql: str, *, server: str) -> None:
    subprocess.run(
        ["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
    )


def database_exists(name: str, *, server: str) -> bool:
    out = subprocess.run(
        [
            "psql",
            f"{server}/postgres",
            "-qAtc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return out == "1"


def env_for(db_url: str, migrations: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_MIGRATIONS=migrations,
        PYTHONPATH=str(REPO),
        AXES_ENABLED="0",
    )
    return env


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - started, 2)


def manage(*args: str) -> list[str]:
    return [PY, "manage.py", *args]


def provision(count: int, prefix: str, mode: str, env: dict[str, str]) -> dict:
    """Run `_provision` in a child process (fresh Django, like a management command)."""
    out = subprocess.run(
        [
            PY,
            str(REPO / "bench" / "tenants.py"),
            "_provision",
            "--count",
            str(count),
            "--prefix",
            prefix,
            "--mode",
            mode,
        ],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout)


def _provision_main(count: int, prefix: str, mode: str) -> None:
    import django

    django.setup()
    from django.conf import settings

    from prm.tenancy.services import vendor_create

    if mode == "migrate":
        settings.TENANT_BASE_SCHEMA = ""
        settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    elif mode == "library":  # django-tenants' clone_schema() SQL function, no recipe
        from prm.tenancy import template

        template.current_recipe = lambda schema: None
    seconds = []
    for i in range(count):
        schema = f"{prefix}{i:04d}"
        started = time.perf_counter()
        vendor_create(
            schema=schema,
            name=f"Bench {schema}",
            domain=f"{schema}.bench.localhost",
            admin_email=f"admin@{schema}.example",
            admin_password="bench-pass-2026!",
        )
        seconds.append(time.perf_counter() - started)
        if (i + 1) % 50 == 0:
            log(f"  provisioned {i + 1}/{count}")
    print(json.dumps(summary(seconds)))


def summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 3)

    return {
        "count": len(seconds),
        "total_s": round(sum(seconds), 1),
        "mean_s": round(statistics.mean(seconds), 3),
        "p50_s": pct(0.50),
        "p95_s": pct(0.95),
        "max_s": round(ordered[-1], 3),
        "first_s": round(seconds[0], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--sample", type=int, default=5, help="vendors per provisioning mode")
    parser.add_argument("--database", default="prm_bench_tenants")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if not args.database.startswith("prm_bench"):
        parser.error("--database must start with prm_bench (it is created and dropped)")
    if database_exists(args.database, server=args.server):
        parser.error(f"{args.database} exists; drop it first (this script never reuses one)")

    global REPO
    original = REPO
    REPO, commit = snapshot_of_head()
    db_url = f"{args.server}/{args.database}"
    results: dict = {
        "tenants": args.tenants,
        "database": args.database,
        "commit": commit,
        "loadavg_start": os.getloadavg(),
    }
    psql_admin(f'CREATE DATABASE "{args.database}"', server=args.server)
    try:
        v1 = env_for(db_url, "v1")
        log("migrate_schemas --shared")
        results["migrate_shared_s"] = timed(manage("migrate_schemas", "--shared", "-v0"), v1)
        log("migrate_template (creates the template)")
        results["migrate_template_create_s"] = timed(manage("migrate_template"), v1)
        log(f"provision {args.sample} vendors by cloning the template")
        results["provision_clone"] = provision(args.sample, "clone", "clone", v1)
        log(f"provision {args.sample} vendors by running every migration")
        results["provision_migrate"] = provision(args.sample, "migr", "migrate", v1)
        log(f"provision {args.tenants} vendors (clone)")
        results["provision_many"] = provision(args.tenants, "t", "clone", v1)
        log(f"provision {args.sample} more with {args.tenants} present")
        results["provision_clone_after_many"] = provision(args.sample, "late", "clone", v1)
        log(f"provision 3 with clone_schema() (the library function) with {args.tenants} present")
        results["provision_library_clone_after_many"] = provision(3, "lib", "library", v1)
        log("provision 3 more (clone): the recipe is made again after the library run")
        results["provision_clone_after_library"] = provision(3, "again", "clone", v1)
        results["tenant_schemas"] = args.tenants + 3 * args.sample + 6

        log("migrate_schemas --tenant, nothing to apply, standard executor")
        results["migrate_noop_standard_s"] = timed(manage("migrate_schemas", "--tenant", "-v0"), v1)
        log("migrate_schemas --tenant, nothing to apply, multiprocessing executor")
        results["migrate_noop_multiprocessing_s"] = timed(
            manage("migrate_schemas", "--tenant", "-v0", "--executor=multiprocessing"), v1
        )

        log("migrate_tenants (skips current schemas), nothing to apply")
        results["migrate_tenants_noop_s"] = timed(manage("migrate_tenants"), v1)

        v2, v3 = env_for(db_url, "v2"), env_for(db_url, "v3")
        timed(manage("migrate_schemas", "--shared", "-v0"), v2)
        log("one new migration, standard executor")
        results["migrate_one_standard_s"] = timed(manage("migrate_schemas", "--tenant", "-v0"), v2)
        results["migrate_template_one_s"] = timed(manage("migrate_template"), v2)
        timed(manage("migrate_schemas", "--shared", "-v0"), v3)
        log("one new migration, multiprocessing executor")
        results["migrate_one_multiprocessing_s"] = timed(
            manage("migrate_schemas", "--tenant", "-v0", "--executor=multiprocessing"), v3
        )
        results["loadavg_end"] = os.getloadavg()
        results["multiprocessing_processes"] = int(
            os.environ.get("TENANT_MULTIPROCESSING_MAX_PROCESSES", "2")
        )
    finally:
        shutil.rmtree(REPO, ignore_errors=True)
        REPO = original
        if not args.keep:
            psql_admin(
                f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)', server=args.server
            )
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_provision":
        sub = argparse.ArgumentParser()
        sub.add_argument("_cmd")
        sub.add_argument("--count", type=int)
        sub.add_argument("--prefix")
        sub.add_argument("--mode", choices=["clone", "migrate", "library"])
        ns = sub.parse_args()
        sys.path.insert(0, str(REPO))
        _provision_main(ns.count, ns.prefix, ns.mode)
    else:
        sys.exit(main())
