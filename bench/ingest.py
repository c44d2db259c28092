"""Report import at scale: the real pipeline against a raw COPY of the same rows.

    .venv/bin/python bench/ingest.py                      # 100k and 1M rows
    .venv/bin/python bench/ingest.py --rows 1000000 > bench/results/ingest-1m.json

Uses DATABASE_URL's server (embedded PostgreSQL when unset, like `make test`), creates its
own database (prm_bench_ingest; refuses one that exists unless --reuse), migrates it and
provisions one vendor with one partner and the catalogue. For each --rows it generates a
decimal-comma, semicolon CSV like a German partner's (bench/ingest_core.py) and then:

1. imports it through the real pipeline, in a child process standing in for the worker:
   the upload checks (size, content, SHA-256), storage under a generated name,
   detection, mapping, normalisation and PostgreSQL COPY of lines in one transaction
   (`reporting.services.report_import`, the code behind the Celery task) - timed, with
   the child's peak RSS. Before the timer the child gets ready as a worker process is
   before its first task (task and broker modules imported, its spare detection process
   started); `--cold` leaves that inside the timed import, as the bench did until
   2026-12-04;
2. exports the lines it stored (untimed) and times two baselines on exactly those rows,
   each a client-side COPY of a CSV file in one transaction, like psql's `copy` command:
   - the **lean** COPY: the 12 canonical columns into a plain
     table with two indexes (invoice number, invoice date), no keys: what PostgreSQL
     takes for the report's content alone, the figure the pipeline is held to;
   - the **same-table** COPY: every stored column into a copy of reporting_salesline
     with its indexes, checks and foreign keys: the table's own cost (its ids from the
     identity default, one `nextval` a line, where the import writes ids it reserved);

and prints the times, the ratio to each (target: at most 1.5x the lean COPY), the load
average and the peak memory, which should not grow with the file. Progress on stderr;
one JSON document on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench.ingest_core import SKUS, generate  # noqa: E402

SCHEMA = "bench"
PARTNER = "bench-mueller"
TARGET_RATIO = 1.5


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database_url(base_url: str, name: str) -> str:
    head, _sep, tail = base_url.rpartition("/")
    return f"{head}/{name}{'?' + tail.split('?', 1)[1] if '?' in tail else ''}"


def _django(database_url_: str, media: str) -> None:
    os.environ["DATABASE_URL"] = database_url_
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    os.environ["TENANT_BASE_SCHEMA"] = ""  # provision by migrating: one vendor only
    os.environ["AXES_ENABLED"] = "0"
    os.environ["MEDIA_ROOT"] = media
    import django

    django.setup()


def _own_cpu() -> float:
    """CPU seconds (user + system) of this process, its threads and its ended children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds of a PostgreSQL backend process (a server on this machine), or None.

    Busy neighbours stretch wall time (waiting for a core), not CPU time: with both the
    worker's and its backend's CPU, pipeline and baselines compare on a loaded machine.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _warm_like_a_worker() -> None:
    """What a Celery worker process has done before its first task: imported the task
    modules and the broker's transport (it consumes from the broker), and started its
    spare confined detection process (`reporting.tasks`, `worker_process_init`)."""
    from prm.celery import app
    from reporting.ingest.isolated import start_spare

    app.loader.import_default_modules()
    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)
    start_spare(wait=True)


def _time_copies() -> list[tuple[float, float]]:
    """Record when each COPY of lines starts and ends (wraps `reporting.importing._copy`)."""
    from reporting import importing

    spans: list[tuple[float, float]] = []
    copy = importing._copy

    def timed(cursor, table, columns, data) -> None:
        begun = time.perf_counter()
        copy(cursor, table, columns, data)
        if columns == importing.LINE_COPY_COLUMNS:
            spans.append((begun, time.perf_counter()))

    importing._copy = timed
    return spans


def pipeline(path: Path, *, cold: bool = False) -> dict:
    """Child process: import one file like the worker would; report time and peak RSS.

    `cold`: as a process that has just started (no spare detection process, task and
    broker modules imported on first use), as this bench measured before 2026-12-04."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from partners.models import Partner
    from reporting.services import report_import

    if not cold:
        _warm_like_a_worker()
    copies = _time_copies()
    with schema_context(SCHEMA):
        partner = Partner.objects.get(slug=PARTNER)
        backend = connection.connection.info.backend_pid
        backend_before, cpu_before = _backend_cpu(backend), _own_cpu()
        started = time.perf_counter()
        summary = report_import(partner=partner, path=path)
        ended = time.perf_counter()
        seconds = ended - started
        cpu, backend_after = _own_cpu() - cpu_before, _backend_cpu(backend)
        if connection.connection.info.backend_pid != backend:
            backend_after = None  # reconnected: the figure would be another session's
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "backend_cpu_seconds": (
            round(backend_after - backend_before, 2)
            if backend_after is not None and backend_before is not None
            else None
        ),
        # The serial parts: receive, detection, mapping and the first chunk before the
        # first COPY; duplicate check, commit and what follows after the last one.
        "before_first_copy_seconds": round(copies[0][0] - started, 2) if copies else None,
        "copy_seconds": round(copies[-1][1] - copies[0][0], 2) if copies else None,
        "after_last_copy_seconds": round(ended - copies[-1][1], 2) if copies else None,
        "status": summary.status,
        "lines": summary.lines,
        "error_rows": summary.error_rows,
        "upload": summary.upload,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


#: The canonical sales line: what a partner's report carries, nothing more.
LEAN_COLUMNS = (
    ("invoice_number", "text"),
    ("invoice_date", "date"),
    ("reseller", "text"),
    ("end_customer", "text"),
    ("end_customer_country", "text"),
    ("vendor_sku", "varchar(64)"),
    ("partner_sku", "text"),
    ("quantity", "integer"),
    ("unit_price", "numeric"),
    ("amount", "numeric"),
    ("currency", "varchar(3)"),
    ("transaction_type", "varchar(6)"),
)
#: The lean table's two indexes.
LEAN_INDEXES = ("invoice_number", "invoice_date")


def _dump(cursor, table: str, columns: list[str], upload_id: int, path: Path) -> None:
    listed = ", ".join(f'"{name}"' for name in columns)
    with (
        path.open("wb") as handle,
        cursor.copy(
            f"COPY (SELECT {listed} FROM {table} WHERE upload_id = {int(upload_id)}) "
            "TO STDOUT (FORMAT csv)"
        ) as copy,
    ):
        for block in copy:
            handle.write(block)


def _timed_copy(target: str, columns: list[str], path: Path) -> tuple[float, float | None]:
    """COPY a CSV file into ``target`` in one transaction, as `\\copy` would; (seconds,
    CPU seconds of this client and its backend)."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    listed = ", ".join(f'"{name}"' for name in columns)
    with schema_context(SCHEMA):
        connection.ensure_connection()
        backend = connection.connection.info.backend_pid
        backend_before, cpu_before = _backend_cpu(backend), _own_cpu()
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            with (
                path.open("rb") as handle,
                cursor.copy(f"COPY {target} ({listed}) FROM STDIN (FORMAT csv)") as copy,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
        seconds = time.perf_counter() - started
        cpu, backend_after = _own_cpu() - cpu_before, _backend_cpu(backend)
    if backend_after is None or backend_before is None:
        return seconds, None
    return seconds, cpu + backend_after - backend_before


def raw_copy(upload_id: int, directory: Path) -> dict:
    """Time two baselines on the upload's stored lines, written out as CSV first (untimed):

    - lean: the 12 canonical columns into a plain table with two indexes (LEAN_INDEXES),
      no keys, no constraints: what PostgreSQL takes for the report's content alone;
    - same table: every stored column into a copy of reporting_salesline with the same
      indexes, checks and foreign keys (whatever the model has today).
    """
    from django.db import connection
    from django_tenants.utils import schema_context

    from reporting.models import SalesLine

    table = SalesLine._meta.db_table
    columns = [field.column for field in SalesLine._meta.concrete_fields if field.column != "id"]
    lean_columns = [name for name, _type in LEAN_COLUMNS]
    full_dump, lean_dump = directory / "stored.csv", directory / "canonical.csv"
    with schema_context(SCHEMA), connection.cursor() as cursor:
        _dump(cursor, table, columns, upload_id, full_dump)
        _dump(cursor, table, lean_columns, upload_id, lean_dump)
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute("DROP TABLE IF EXISTS bench_lean_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        for (definition,) in cursor.fetchall():
            cursor.execute(f"ALTER TABLE bench_raw_copy ADD {definition}")
        cursor.execute(
            "CREATE TABLE bench_lean_copy ("
            + ", ".join(f"{name} {kind}" for name, kind in LEAN_COLUMNS)
            + ")"
        )
        for name in LEAN_INDEXES:
            cursor.execute(f"CREATE INDEX ON bench_lean_copy ({name})")
    lean, lean_cpu = _timed_copy("bench_lean_copy", lean_columns, lean_dump)
    same, same_cpu = _timed_copy("bench_raw_copy", columns, full_dump)
    with schema_context(SCHEMA), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_raw_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM bench_lean_copy")
        lean_rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_raw_copy")
        cursor.execute("DROP TABLE bench_lean_copy")
    sizes = {"stored_csv_mb": round(full_dump.stat().st_size / 2**20, 1)}
    sizes["canonical_csv_mb"] = round(lean_dump.stat().st_size / 2**20, 1)
    full_dump.unlink()
    lean_dump.unlink()
    return {
        "lean_seconds": round(lean, 2),
        "lean_cpu_seconds": round(lean_cpu, 2) if lean_cpu is not None else None,
        "same_table_cpu_seconds": round(same_cpu, 2) if same_cpu is not None else None,
        "lean_rows": lean_rows,
        "same_table_seconds": round(same, 2),
        "rows": rows,
        **sizes,
    }


def _sum(*figures: float | None) -> float | None:
    return None if any(f is None for f in figures) else round(sum(figures), 2)


def clear() -> None:
    """Remove the imported uploads so the next size starts from the same empty tables."""
    from django.db import connection
    from django_tenants.utils import schema_context

    with schema_context(SCHEMA), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE reporting_salesline, reporting_uploaderror, reporting_importrun, "
            "reporting_upload CASCADE"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("--database", default="prm_bench_ingest")
    parser.add_argument("--reuse", action="store_true", help="keep and reuse the database")
    parser.add_argument("--pipeline", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--media", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline child")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="import in a process that has just started, not one warmed like a worker's",
    )
    args = parser.parse_args()

    if args.pipeline:  # the child process
        _django(os.environ["DATABASE_URL"], args.media)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(pipeline, args.pipeline, cold=args.cold)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumtime").print_stats(40)
        else:
            result = pipeline(args.pipeline, cold=args.cold)
        print(json.dumps(result))
        return 0

    from services import ensure_services

    ensure_services(database="postgres")
    server_url = os.environ["DATABASE_URL"]
    url = database_url(server_url, args.database)
    import psycopg

    admin = psycopg.connect(database_url(server_url, "postgres"), autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
    exists = exists.fetchone()
    if exists and not args.reuse:
        log(f"database {args.database} exists; pass --reuse or drop it")
        return 2
    if not exists:
        admin.execute(f'CREATE DATABASE "{args.database}"')

    report: dict = {
        "runs": [],
        "target_ratio": TARGET_RATIO,
        "worker": "cold" if args.cold else "warm",
    }
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        media = directory / "media"
        _django(url, str(media))
        from django.core.management import call_command
        from django.db import connection
        from django_tenants.utils import schema_context

        from deals.models import Product
        from partners.models import Partner
        from prm.tenancy.services import vendor_create

        try:
            if not exists:
                log("migrating the shared schema")
                call_command("migrate_schemas", shared=True, verbosity=0)
            vendor = vendor_create(schema=SCHEMA, name="Bench Vendor", domain="bench.localhost")
            type(vendor).objects.filter(pk=vendor.pk).update(max_upload_mb=500)
            with schema_context(SCHEMA):
                Partner.objects.get_or_create(
                    slug=PARTNER, defaults={"name": "Bench Müller GmbH", "currency": "EUR"}
                )
                for sku in SKUS:
                    Product.objects.get_or_create(
                        vendor_sku=sku, defaults={"name": sku, "list_price": 100}
                    )
            clear()
            for rows in args.rows or [100_000, 1_000_000]:
                path = directory / f"verkauf_{rows}.csv"
                log(f"{rows:,} rows: generating")
                generate(path, rows, "utf-8")
                log(f"{rows:,} rows: importing through the pipeline")
                child = subprocess.run(
                    [sys.executable, __file__, "--pipeline", str(path), "--media", str(media)]
                    + (["--profile"] if args.profile else [])
                    + (["--cold"] if args.cold else []),
                    capture_output=True,
                    text=True,
                    env={**os.environ, "DATABASE_URL": url},
                )
                if child.returncode:
                    log(child.stderr[-3000:])
                    return 1
                imported = json.loads(child.stdout.strip().splitlines()[-1])
                if args.profile:
                    log(child.stderr)
                log(f"{rows:,} rows: lean and same-table COPY of the same lines")
                copied = raw_copy(imported["upload"], directory)
                lean = imported["seconds"] / copied["lean_seconds"]
                same = imported["seconds"] / copied["same_table_seconds"]
                run = {
                    "rows": rows,
                    "file_mb": round(path.stat().st_size / 2**20, 1),
                    "pipeline_seconds": imported["seconds"],
                    "lean_copy_seconds": copied["lean_seconds"],
                    "same_table_copy_seconds": copied["same_table_seconds"],
                    "ratio_to_lean": round(lean, 2),
                    "ratio_to_same_table": round(same, 2),
                    "pipeline_rows_per_second": int(rows / imported["seconds"]),
                    "lean_rows_per_second": int(copied["lean_rows"] / copied["lean_seconds"]),
                    "canonical_csv_mb": copied["canonical_csv_mb"],
                    "stored_csv_mb": copied["stored_csv_mb"],
                    # CPU: the worker process (threads, detection child) plus its
                    # PostgreSQL backend, against the baseline's client plus backend.
                    "pipeline_cpu_seconds": _sum(
                        imported["cpu_seconds"], imported["backend_cpu_seconds"]
                    ),
                    "pipeline_worker_cpu_seconds": imported["cpu_seconds"],
                    "pipeline_backend_cpu_seconds": imported["backend_cpu_seconds"],
                    "lean_copy_cpu_seconds": copied["lean_cpu_seconds"],
                    "same_table_copy_cpu_seconds": copied["same_table_cpu_seconds"],
                    "before_first_copy_seconds": imported["before_first_copy_seconds"],
                    "copy_seconds": imported["copy_seconds"],
                    "after_last_copy_seconds": imported["after_last_copy_seconds"],
                    "worker_peak_rss_mb": imported["peak_rss_mb"],
                    "status": imported["status"],
                    "lines": imported["lines"],
                    "load_average_1m": round(os.getloadavg()[0], 2),
                }
                report["runs"].append(run)
                if run["pipeline_cpu_seconds"] and run["lean_copy_cpu_seconds"]:
                    run["cpu_ratio_to_lean"] = round(
                        run["pipeline_cpu_seconds"] / run["lean_copy_cpu_seconds"], 2
                    )
                log(
                    f"{rows:>10,} rows  CPU: pipeline {run['pipeline_cpu_seconds']} s "
                    f"(worker {run['pipeline_worker_cpu_seconds']}), lean COPY "
                    f"{run['lean_copy_cpu_seconds']} s (x{run.get('cpu_ratio_to_lean')})"
                )
                log(
                    f"{rows:>10,} rows  serial: {run['before_first_copy_seconds']} s before the "
                    f"first COPY, {run['after_last_copy_seconds']} s after the last; COPYs "
                    f"{run['copy_seconds']} s"
                )
                log(
                    f"{rows:>10,} rows  pipeline {run['pipeline_seconds']:>6} s  lean COPY "
                    f"{run['lean_copy_seconds']:>6} s (x{run['ratio_to_lean']})  same-table "
                    f"COPY {run['same_table_copy_seconds']:>6} s (x{run['ratio_to_same_table']})"
                    f"  worker peak {run['worker_peak_rss_mb']} MB  load {run['load_average_1m']}"
                )
                path.unlink()
                clear()
            report["load_average_1m"] = round(os.getloadavg()[0], 2)
            report["cpus"] = os.cpu_count()
            report["postgres"] = connection.cursor().connection.info.server_version
        finally:
            connection.close()
            if not args.reuse:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    report["git"] = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(json.dumps(report, indent=2))
    # The target is set for the largest file (1M rows): for small files the fixed cost of
    # checking and detecting weighs more than a COPY of a few rows.
    largest = max(report["runs"], key=lambda run: run["rows"])
    return 0 if largest["ratio_to_lean"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
