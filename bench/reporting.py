"""Reporting at scale: dashboard, leaderboard and scorecard server time over summary tables.

    nice -n 10 .venv/bin/python bench/reporting.py > bench/results/reporting.json

Creates its own database (prm_bench_reporting by default; refuses one that exists), one
vendor with --partners partners (assigned to --cms channel managers), --deals
registrations and --lines sales lines over the last 24 months, all written with COPY.
Then it rebuilds the summary tables (timed) and measures, in-process through Django's
test client (middleware, tenant routing, views, templates: the server's time without the
network), p50/p95 of:

- every analytics page a CM opens (dashboard, leaderboard, reporting health, a partner
  scorecard, reconciliation unfiltered / conflicts / one partner, the partner's
  data-quality page, the workspace with its work queue), as a CM with an average
  portfolio;
- the same for the vendor admin (every partner);
- a partner admin's own scorecard (/analytics/my/) and data-quality page;
- for each page also the number of SQL statements of one request and their time;
- the CM dashboard's figures computed from the raw lines instead (the comparison).

Background work first (unless --pages-only): every summary rebuilt, one partner's refresh
(``refresh_all``, what the import task runs), reconciliation of 20 partners, then (unless
--no-reconcile-at-scale) reconciliation of the 20 partners with most end customers one
at a time, the refresh of the first and of the largest partner in a new process (nothing
cached) and again warm, and ``reconcile_all`` (every partner); wall and CPU seconds.
Then, for the 20 partners with most end customers, a full reconciliation next to the
incremental one an import's task runs after one month's report is imported again
(``--incremental-reconcile-only`` with --reuse measures only that): wall, CPU of the bench
and of its PostgreSQL backend, and whether both give the same findings.

Seeding is prm.seeding.scale.seed_tenant, the seeder of `manage.py seed_scale`.

Pages: partners without reconciliation findings first get a synthetic copy of a
reconciled partner's (fill_synthetic_findings, bench only; --no-synthetic-findings skips
it), so the reconciliation page reads a table of realistic size.

Drops the database at the end (unless --keep). Prints one JSON document; progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def psql(sql: str, *, server: str) -> str:
    return subprocess.run(
        ["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {
        "n": len(ordered),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "mean_ms": round(1000 * statistics.mean(ordered), 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def measure(call, repeat: int, warmup: int = 2) -> dict:
    """Wall-clock percentiles of ``call``, and the CPU time this process spent in it (p50):
    on a shared machine the wall clock also counts waiting for a core, the CPU time not
    (PostgreSQL's share is in the wall clock only)."""
    for _ in range(warmup):
        call()
    seconds, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return percentiles(seconds) | {"cpu_p50_ms": round(1000 * statistics.median(cpu), 1)}


# --- The same dashboard from raw lines -----------------------------------------------------


def dashboard_from_raw(cursor, relation, cm_id: int, period, reporting: str) -> None:
    """The CM dashboard's sales figures straight from the lines (what summaries avoid)."""
    from reporting.analytics.services import RATES_CTE, _rate_join

    r = relation
    scope = f"l.{r.partner} IN (SELECT id FROM partners_partner WHERE channel_manager_id = %(cm)s)"
    day, currency = f"l.{r.invoice_date}", f"upper(l.{r.currency})"
    base = (
        f"WITH {RATES_CTE} SELECT {{select}} FROM {r.table} l "
        f"{_rate_join('x', currency, day)} WHERE {scope} AND {day} >= %(from)s "
        f"AND {day} < %(to)s {{group}}"
    )
    params = {
        "cm": cm_id,
        "reporting": reporting,
        "from": period.last_year.start,
        "to": (period.end + timedelta(days=31)).replace(day=1),
    }
    amount = f"l.{r.amount} * x.rate"
    in_period = f"{day} >= '{period.start}'"
    queries = [
        (f"sum({amount}) FILTER (WHERE {in_period}), count(*) FILTER (WHERE x.rate IS NULL)", ""),
        (f"date_trunc('month', {day}), sum({amount})", "GROUP BY 1"),
        (
            f"l.{r.partner}, sum({amount}) FILTER (WHERE {in_period})",
            "GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 10",
        ),
        (
            f"l.{r.vendor_sku}, sum({amount}) FILTER (WHERE {in_period})",
            "GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 10",
        ),
        (f"l.{r.end_customer_country}, sum({amount}) FILTER (WHERE {in_period})", "GROUP BY 1"),
    ]
    for select, group in queries:
        cursor.execute(base.format(select=select, group=group), params)
        cursor.fetchall()


def seed(args, results):
    """The vendor, seeded by prm.seeding.scale (the seeder of `manage.py seed_scale`).

    Summaries are left to :func:`run`, which times their rebuild.
    """
    from django.db import connection
    from django_tenants.utils import schema_context

    from prm.accounts.models import Role, User
    from prm.seeding import scale
    from reporting.analytics import sources

    spec = scale.TenantSpec(
        schema="bench",
        name="Bench Networks",
        domain="bench.localhost",
        partners=args.partners,
        users=args.users,
        deals=args.deals,
        lines=args.lines,
        cms=args.cms,
        seed=args.seed,
    )
    log("create the vendor (every tenant migration) and seed it with COPY")
    report = scale.Report(log=log)
    seeded = scale.seed_tenant(spec, report=report, refresh=False, analyze=False)
    results["seed_phases"] = {
        p.name: {"rows": p.rows, "s": round(p.seconds, 1), "rows_per_s": p.rows_per_second}
        for p in report.phases
    }
    results["seed_partners_s"] = round(report.seconds("staff, catalogue, partners, rates"), 1)
    results["seed_deals_s"] = round(report.seconds("deals, deal lines, history"), 1)
    results["seed_lines_s"] = round(report.seconds("sales lines"), 1)
    results["seed_lines_rows_per_s"] = int(args.lines / max(results["seed_lines_s"], 0.1))
    with schema_context("bench"):
        admin = User.objects.get(pk=seeded.admin_id)
        cms = list(User.objects.filter(role=Role.CHANNEL_MANAGER).order_by("pk"))
        relation = sources.sales_lines()
        results["sales_line_table"] = relation.table
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    partners = [(p.id, p.country, p.currency) for p in seeded.partners]
    return admin, cms, relation, partners


# --- Background work: reconciliation and one partner's refresh ----------------------------

#: Run in a new process: the first refresh after a worker starts (nothing cached in it).
_COLD_REFRESH = """
import json, os, sys, time
import django
django.setup()
from django_tenants.utils import schema_context
from reporting.analytics import services
with schema_context("bench"):
    started, cpu = time.perf_counter(), time.process_time()
    services.refresh_all(partner_ids=[int(sys.argv[1])])
    print(json.dumps({"s": round(time.perf_counter() - started, 3),
                      "cpu_s": round(time.process_time() - cpu, 3)}))
"""


def refresh_in_new_process(partner_id: int) -> dict:
    done = subprocess.run(
        [PY, "-c", _COLD_REFRESH, str(partner_id)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed(call) -> dict:
    """Wall and CPU seconds of one call (CPU: this process only, not PostgreSQL)."""
    started, cpu = time.perf_counter(), time.process_time()
    call()
    return {
        "s": round(time.perf_counter() - started, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def largest_partners(cursor, relation, count: int) -> list[tuple[int, int, int]]:
    """(partner id, distinct end customers, lines) of the partners with most customers."""
    cursor.execute(
        f"SELECT {relation.partner}, count(DISTINCT {relation.end_customer}), count(*)"
        f" FROM {relation.table} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT %s",
        [count],
    )
    return cursor.fetchall()


def match_every_name(results: dict, relation) -> None:
    """The one-time cost of a tenant (after the migration, or on a new seed): the matching
    keys of every reported and registered name, and which are alike. Skipped when done."""
    from django.db import connection, transaction

    from reporting.analytics import reconciliation
    from reporting.analytics.models import SaleCustomerName

    if SaleCustomerName.objects.exists():
        results["names_first_match"] = "already done in this database"
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {relation.end_customer} FROM {relation.table}")
        names = {row[0] for row in cursor.fetchall() if row[0]}
    log(f"match {len(names):,} reported names (first time)")
    with transaction.atomic():
        results["names_first_match"] = {"names": len(names)} | timed(
            lambda: reconciliation.match_names(names)
        )


def reconciliation_at_scale(results: dict, relation, first_partner: int) -> None:
    """The reconciliation figures of the largest partners and of every partner."""
    from django.db import connection

    from reporting.analytics import services

    with connection.cursor() as cursor:
        largest = largest_partners(cursor, relation, 20)
    results["largest_partners"] = [
        {"partner": pk, "customers": customers, "lines": lines} for pk, customers, lines in largest
    ]
    log("reconcile the 20 largest partners, one at a time (twice: the second is measured)")
    for pk, _customers, _lines in largest:
        services.reconcile_sales(partner_ids=[pk])
    each, per_partner = [], []
    for pk, customers, lines in largest:
        figures = timed(lambda pk=pk: services.reconcile_sales(partner_ids=[pk]))
        each.append(figures["s"])
        per_partner.append({"partner": pk, "customers": customers, "lines": lines} | figures)
    results["reconcile_largest_20"] = percentiles(each)
    results["reconcile_largest_20_each"] = per_partner
    refreshed = (
        ("refresh_first_partner", first_partner),
        ("refresh_largest_partner", largest[0][0]),
    )
    for label, pk in refreshed:
        log(f"refresh partner {pk} in a new process, then again in this one")
        results[label] = {
            "partner": pk,
            "cold_new_process": refresh_in_new_process(pk),
            "warm": timed(lambda pk=pk: services.refresh_all(partner_ids=[pk])),
        }
    log("reconcile every partner (reconcile_all)")
    results["reconcile_all"] = timed(services.reconcile_all)
    results["load_average_after_reconcile_all"] = round(os.getloadavg()[0], 2)


def _replace_month_as_an_import_does(relation, pk: int, month) -> dict:
    """One month of a partner's lines deleted and written again (the same lines), as an
    import replaces its upload's lines: DELETE, then INSERT. Wall seconds of the two
    statements without the triggers that note the changed months (first) and with them
    (second, so its notes are what the refresh then reads), and how many lines moved."""
    written = {}
    for label, triggers in (("write_without_triggers_s", False), ("write_s", True)):
        written |= _replace_month(relation, pk, month, triggers=triggers)
        written[label] = written.pop("s")
    return written


def _replace_month(relation, pk: int, month, *, triggers: bool) -> dict:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if not triggers:
            cursor.execute("SET LOCAL session_replication_role = replica")
        scope = (
            f"{relation.partner} = %(pk)s AND {relation.invoice_date} >= %(month)s"
            f" AND {relation.invoice_date} < (%(month)s::date + interval '1 month')::date"
        )
        cursor.execute(
            f"CREATE TEMP TABLE bench_moved ON COMMIT DROP AS"
            f" SELECT * FROM {relation.table} WHERE {scope}",
            {"pk": pk, "month": month},
        )
        started = time.perf_counter()
        cursor.execute(f"DELETE FROM {relation.table} WHERE {scope}", {"pk": pk, "month": month})
        moved = cursor.rowcount
        cursor.execute(f"INSERT INTO {relation.table} SELECT * FROM bench_moved")
        if triggers:
            _note_added_month(pk, month)
        return {"lines": moved, "s": round(time.perf_counter() - started, 3)}


def _note_added_month(pk: int, month) -> None:
    """What the sales-changed hook notes for the lines an import added (the bench writes
    them with an INSERT, not through the import, and queues no task)."""
    from reporting.analytics.models import ReconciliationChange, SalesChangedMonth

    SalesChangedMonth.objects.create(partner_id=pk, month=month)
    ReconciliationChange.objects.create(partner_id=pk, month=month)


def _partner_rows(cursor, pk: int) -> list:
    rows = []
    for table, columns in (
        ("analytics_salesmonthproduct", "month, vendor_sku, country, currency, quantity, amount,"
         " amount_reporting, line_count, unconverted_lines, first_reported_at,"
         " channel_manager_id"),
        ("analytics_salesmonth", "month, currency, quantity, amount, amount_reporting,"
         " line_count, unconverted_lines, first_reported_at"),
        ("analytics_salesmonthcountry", "month, country, currency, quantity,"
         " amount_reporting, line_count"),
    ):  # fmt: skip
        cursor.execute(f"SELECT {columns} FROM {table} WHERE partner_id = %s ORDER BY 1", [pk])
        rows.append(sorted(cursor.fetchall(), key=repr))
    cursor.execute(
        "SELECT dimension, key, month, currency, channel_manager_id, vendor_wide, quantity,"
        " amount_reporting, line_count, unconverted_lines FROM analytics_tenantmonth"
    )
    rows.append(sorted(cursor.fetchall(), key=repr))
    return rows


def refresh_after_import(results: dict, relation, partners: dict[str, int], months: int) -> None:
    """What the import's task runs after a partner's upload replaced one month of lines:
    the sales summaries of the changed months, reconciliation of the partner's customers
    whose lines changed, the vendor-wide ranking. Per partner, over its ``months`` latest
    months: each step's wall and CPU (this process), then whether the summaries and
    rollups equal a full rebuild."""
    from django.db import connection

    from reporting.analytics import selectors, services
    from reporting.analytics.reconciliation import reconcile_sales

    figures = {}
    for label, pk in partners.items():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT date_trunc('month', {relation.invoice_date})::date, count(*)"
                f" FROM {relation.table} WHERE {relation.partner} = %s"
                " GROUP BY 1 ORDER BY 1 DESC LIMIT %s",
                [pk, months],
            )
            latest = cursor.fetchall()
        log(f"refresh after an import: partner {pk}, months {[str(m) for m, _n in latest]}")
        steps: dict[str, list] = {"sales": [], "reconcile": [], "ranking": [], "task": []}
        each = []
        for month, _count in latest:
            written = _replace_month_as_an_import_does(relation, pk, month)
            sales = timed(
                lambda pk=pk: services.refresh_sales_summaries(
                    partner_ids=[pk], changed_months_only=True
                )
            )
            reconcile = timed(lambda pk=pk: reconcile_sales(partner_ids=[pk], changed_only=True))
            ranking = timed(selectors.warm_vendor_ranking)
            task = round(sales["s"] + reconcile["s"] + ranking["s"], 3)
            for name, value in (("sales", sales), ("reconcile", reconcile), ("ranking", ranking)):
                steps[name].append(value["s"])
            steps["task"].append(task)
            each.append(
                {"month": str(month)}
                | written
                | {"sales": sales, "reconcile": reconcile, "ranking": ranking, "task_s": task}
                | {"load_average": round(os.getloadavg()[0], 2)}
            )
        with connection.cursor() as cursor:
            incremental = _partner_rows(cursor, pk)
            full_sales = timed(lambda pk=pk: services.refresh_sales_summaries(partner_ids=[pk]))
            same = incremental == _partner_rows(cursor, pk)
        figures[label] = {
            "partner": pk,
            "each_month": each,
            **{name: percentiles(values) for name, values in steps.items()},
            "full_sales_refresh_for_comparison": full_sales,
            "same_rows_as_a_full_rebuild": same,
        }
    results["refresh_after_import"] = figures


#: SQL: a partner's findings, without ids and times (an incremental run's against a full one's).
_FINDINGS = (
    "SELECT kind, status, deal_id, customer_key, end_customer, country, products,"
    " first_invoice_date, last_invoice_date, line_count, amount_reporting, name_score"
    " FROM analytics_reconciliationfinding WHERE partner_id = %s"
)


def _findings(cursor, pk: int) -> list:
    cursor.execute(_FINDINGS, [pk])
    return sorted(cursor.fetchall(), key=repr)


def _backend_cpu(cursor) -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (utime + stime of
    /proc/<pid>/stat; the bench and the server share the machine)."""
    cursor.execute("SELECT pg_backend_pid()")
    with open(f"/proc/{cursor.fetchone()[0]}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed_with_backend(cursor, call) -> dict:
    """Wall, this process's CPU and the PostgreSQL backend's CPU seconds of one call."""
    before = _backend_cpu(cursor)
    figures = timed(call)
    return figures | {"db_cpu_s": round(_backend_cpu(cursor) - before, 3)}


def reconcile_incremental_vs_full(results: dict, relation, count: int) -> None:
    """The ``count`` partners with most end customers: a full reconciliation (a first
    run, a CM's re-run, reconcile_all), then one month's report imported again (the
    month before the latest, a whole one: its lines deleted and written again, the added
    month noted as the import's hook notes it) and the reconciliation the import's task
    runs (only the customers whose lines changed), then a full one again: wall, CPU of
    this process and of the PostgreSQL backend, and whether both give the same findings."""
    from django.db import connection

    from reporting.analytics.reconciliation import reconcile_sales

    figures = []
    with connection.cursor() as cursor:
        largest = largest_partners(cursor, relation, count)
        for pk, customers, lines in largest:
            cursor.execute(
                f"SELECT date_trunc('month', {relation.invoice_date})::date, count(*),"
                f" count(DISTINCT {relation.end_customer})"
                f" FROM {relation.table} WHERE {relation.partner} = %s"
                " GROUP BY 1 ORDER BY 1 DESC LIMIT 2",
                [pk],
            )
            month, month_lines, month_customers = cursor.fetchall()[-1]
            log(f"reconcile partner {pk}: full, then after {month} imported again")
            reconcile_sales(partner_ids=[pk])  # names matched, findings as a full run's
            full = _timed_with_backend(cursor, lambda pk=pk: reconcile_sales(partner_ids=[pk]))
            _replace_month(relation, pk, month, triggers=True)
            incremental = _timed_with_backend(
                cursor, lambda pk=pk: reconcile_sales(partner_ids=[pk], changed_only=True)
            )
            after_incremental = _findings(cursor, pk)
            full_again = _timed_with_backend(
                cursor, lambda pk=pk: reconcile_sales(partner_ids=[pk])
            )
            figures.append(
                {
                    "partner": pk,
                    "customers": customers,
                    "lines": lines,
                    "month": str(month),
                    "month_lines": month_lines,
                    "month_customers": month_customers,
                    "full": full,
                    "incremental": incremental,
                    "full_again": full_again,
                    "same_findings_as_a_full_run": after_incremental == _findings(cursor, pk),
                    "load_average": round(os.getloadavg()[0], 2),
                }
            )
    results["reconcile_incremental_vs_full"] = figures
    results["reconcile_incremental_largest_20"] = percentiles(
        [row["incremental"]["s"] for row in figures]
    )


# --- Main ----------------------------------------------------------------------------------


def run(args) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django_tenants.utils import schema_context

    from prm.accounts.models import Role
    from reporting.analytics import services, sources
    from reporting.analytics.selectors import Period

    settings.TENANT_BASE_SCHEMA = ""
    settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    results: dict = {
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "partners": args.partners,
        "deals": args.deals,
        "lines": args.lines,
        "cms": args.cms,
        "users": args.users,
    }
    if args.reuse:
        log("reuse the seeded database")
        with schema_context("bench"):
            from prm.accounts.models import User

            admin = User.objects.get(email="admin@bench.example")
            cms = list(User.objects.filter(role=Role.CHANNEL_MANAGER).order_by("email"))
            cms.sort(key=lambda u: int(u.email[2:].split("@")[0]))
            relation = sources.sales_lines()
            with connection.cursor() as cursor:
                cursor.execute("SELECT id, country, currency FROM partners_partner ORDER BY id")
                partners = cursor.fetchall()
            results["sales_line_table"] = relation.table
    else:
        admin, cms, relation, partners = seed(args, results)
    if args.incremental_reconcile_only:
        with schema_context("bench"):
            reconcile_incremental_vs_full(results, relation, args.incremental_partners)
        results["load_average_at_end"] = round(os.getloadavg()[0], 2)
        return results
    if args.refresh_after_import_only:
        with schema_context("bench"), connection.cursor() as cursor:
            largest = largest_partners(cursor, relation, 1)[0][0]
            refresh_after_import(
                results, relation, {"first": partners[0][0], "largest": largest}, months=4
            )
        results["load_average_at_end"] = round(os.getloadavg()[0], 2)
        return results
    with schema_context("bench"):
        if args.pages_only:
            log("pages only: the summaries and findings are used as they are")
        else:
            log("rebuild summaries")
            started = time.perf_counter()
            services.refresh_sales_summaries()
            results["refresh_sales_all_s"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            services.refresh_deal_summaries()
            results["refresh_deals_all_s"] = round(time.perf_counter() - started, 1)
            if not args.no_reconcile_at_scale:
                match_every_name(results, relation)
            started = time.perf_counter()
            services.refresh_all(partner_ids=[partners[0][0]])  # what the task does per import
            results["refresh_one_partner_s"] = round(time.perf_counter() - started, 2)
            parts = {}
            for part, step in (
                ("sales", services.refresh_sales_summaries),
                ("deals", services.refresh_deal_summaries),
                ("reconcile", services.reconcile_sales),
            ):
                started = time.perf_counter()
                step(partner_ids=[partners[0][0]])
                parts[part] = round(time.perf_counter() - started, 2)
            results["refresh_one_partner_again_parts_s"] = parts
            started = time.perf_counter()
            services.reconcile_sales(partner_ids=[pk for pk, _c, _cur in partners[:20]])
            results["reconcile_20_partners_s"] = round(time.perf_counter() - started, 2)
            results["reconcile_per_partner_s"] = round(results["reconcile_20_partners_s"] / 20, 3)
            # One partner at a time, as after an import (the first 20 again: their findings
            # exist now, as they would after the first import of the month).
            each = []
            for pk, _country, _currency in partners[:20]:
                started = time.perf_counter()
                services.reconcile_sales(partner_ids=[pk])
                each.append(time.perf_counter() - started)
            results["reconcile_one_partner"] = percentiles(each)
            if not args.no_reconcile_at_scale:
                reconciliation_at_scale(results, relation, partners[0][0])
                reconcile_incremental_vs_full(results, relation, args.incremental_partners)
                with connection.cursor() as cursor:
                    largest = largest_partners(cursor, relation, 1)[0][0]
                refresh_after_import(
                    results, relation, {"first": partners[0][0], "largest": largest}, months=4
                )
            results["load_average_after_background_work"] = round(os.getloadavg()[0], 2)
        from reporting.analytics.models import DealMonth, SalesMonth, SalesMonthProduct

        results["summary_rows"] = {
            "sales_month_product": SalesMonthProduct.objects.count(),
            "sales_month": SalesMonth.objects.count(),
            "deal_month": DealMonth.objects.count(),
        }
        with connection.cursor() as cursor:
            # What autovacuum does in production soon after a load or a rebuild:
            # statistics and the visibility map (so covering indexes answer by themselves:
            # the CM's product figures, the work queue's count of submitted
            # registrations). Every table of the schema, not a chosen few: CI's server
            # (and so this machine's) runs with autovacuum off, and a table loaded by the
            # seeding and never vacuumed had the work queue's count at 10-84 ms instead
            # of 2 ms (the vendor admin's workspace at p95 135 ms).
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'bench'")
            for (table,) in cursor.fetchall():
                cursor.execute(f'VACUUM (ANALYZE) bench."{table}"')
        cm = cms[0]
        partner_id = cm.managed_partners.order_by("pk").values_list("pk", flat=True)[3]
        results["cm_partners"] = cm.managed_partners.count()
    # Requests: through the full stack, on the vendor's host.
    timings, queries = measure_pages(args, results, cm, admin, partner_id)
    results["load_average_after_pages"] = round(os.getloadavg()[0], 2)
    with schema_context("bench"), connection.cursor() as cursor:
        period = Period.last_months(12)
        log("cm dashboard from raw lines")
        timings["cm_dashboard_from_raw_lines"] = measure(
            lambda: dashboard_from_raw(cursor, relation, cm.pk, period, "USD"),
            max(3, args.repeat // 5),
            warmup=1,
        )
    results["timings"] = timings
    results["queries"] = queries
    return results


# --- Pages: every analytics page, for every role that may open it -------------------------

#: Written in the comment of the findings made by fill_synthetic_findings.
SYNTHETIC_FINDING = "bench: synthetic finding (copied from a reconciled partner)"


def fill_synthetic_findings() -> dict:
    """BENCH ONLY, SYNTHETIC: give every partner that has no findings a copy of the
    findings of one of the reconciled partners (in turn), so the reconciliation page and
    the findings counts read a table of realistic size. The background part reconciles
    only a few partners (reconciling 5,000 takes too long today); real findings replace
    these once every partner is reconciled. Won-without-sales findings point to the
    partner's own won registrations, conflicts keep the other partner's registration.
    Idempotent: partners with findings are left alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH templates AS (
                SELECT partner_id, row_number() OVER (ORDER BY partner_id) - 1 AS n
                  FROM (SELECT DISTINCT partner_id FROM analytics_reconciliationfinding
                         WHERE comment <> %(synthetic)s) reconciled
            ), targets AS (
                SELECT p.id, (row_number() OVER (ORDER BY p.id) - 1)
                              %% (SELECT greatest(count(*), 1) FROM templates) AS n
                  FROM partners_partner p
                 WHERE NOT EXISTS (SELECT 1 FROM analytics_reconciliationfinding f
                                    WHERE f.partner_id = p.id)
            ), copied AS (
                SELECT f.*, t.id AS target,
                       row_number() OVER (PARTITION BY t.id, f.kind ORDER BY f.id) AS k
                  FROM targets t JOIN templates s ON s.n = t.n
                  JOIN analytics_reconciliationfinding f ON f.partner_id = s.partner_id
            ), won AS (
                SELECT d.id, d.partner_id,
                       row_number() OVER (PARTITION BY d.partner_id ORDER BY d.id) AS k
                  FROM deals_deal d
                 WHERE d.status = 'won' AND d.partner_id IN (SELECT id FROM targets)
            )
            INSERT INTO analytics_reconciliationfinding
                (kind, partner_id, deal_id, customer_key, end_customer, country, products,
                 first_invoice_date, last_invoice_date, line_count, amount_reporting,
                 name_score, status, comment, detected_at, seen_at)
            SELECT c.kind, c.target, coalesce(w.id, c.deal_id), c.customer_key,
                   c.end_customer, c.country, c.products, c.first_invoice_date,
                   c.last_invoice_date, c.line_count, c.amount_reporting, c.name_score,
                   c.status, %(synthetic)s, c.detected_at, c.seen_at
              FROM copied c
              LEFT JOIN won w ON c.kind = 'won_no_sale' AND w.partner_id = c.target
                             AND w.k = c.k
             WHERE c.kind <> 'won_no_sale' OR w.id IS NOT NULL
            """,
            {"synthetic": SYNTHETIC_FINDING},
        )
        added = cursor.rowcount
        cursor.execute("VACUUM (ANALYZE) analytics_reconciliationfinding")
        cursor.execute(
            "SELECT count(*), count(DISTINCT partner_id), count(*) FILTER (WHERE comment = %s)"
            " FROM analytics_reconciliationfinding",
            [SYNTHETIC_FINDING],
        )
        total, partners, synthetic = cursor.fetchone()
    return {"added": added, "total": total, "partners": partners, "synthetic": synthetic}


def bench_partner_admin(partner_id: int):
    """A partner admin of ``partner_id`` (the seed makes partner users only with --users)."""
    from partners.models import Membership
    from prm.accounts.models import Role, User

    user, created = User.objects.get_or_create(
        email="partner-admin@bench.example", defaults={"role": Role.PARTNER_ADMIN}
    )
    if created:
        Membership.objects.create(user=user, partner_id=partner_id)
    return User.objects.get(pk=user.pk)


def count_queries(client, url: str) -> dict:
    """SQL statements of one request and their time (Django's own timing of each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    statements = [q for q in captured.captured_queries if not q["sql"].startswith("SET ")]
    return {
        "queries": len(statements),
        "set_search_path": len(captured.captured_queries) - len(statements),
        "sql_ms": round(1000 * sum(float(q["time"]) for q in statements), 1),
    }


def measure_pages(args, results, cm, admin, partner_id):
    """p50/p95 wall and CPU time and SQL statements of every analytics page, for each role
    that may open it: CM (their portfolio), vendor admin (every partner), partner admin
    (their own scorecard and data-quality page)."""
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    with schema_context("bench"):
        if not args.no_synthetic_findings:
            log("fill synthetic findings (bench only) for the partners not reconciled")
            started = time.perf_counter()
            results["synthetic_findings"] = fill_synthetic_findings()
            results["synthetic_findings"]["s"] = round(time.perf_counter() - started, 1)
        partner_user = bench_partner_admin(partner_id)
    staff_pages = {
        "dashboard": "/analytics/",
        "leaderboard": "/analytics/leaderboard/",
        "health": "/analytics/health/",
        "scorecard": f"/analytics/partners/{partner_id}/",
        "reconciliation": "/analytics/reconciliation/",
        "reconciliation_conflicts": "/analytics/reconciliation/?kind=conflict",
        "reconciliation_partner": f"/analytics/reconciliation/?partner={partner_id}",
        "quality": f"/quality/partners/{partner_id}/",
        "workspace": "/workspace/",  # the CM's portfolio and work queue
    }
    roles = {
        "cm": (cm, staff_pages),
        "vendor_admin": (admin, staff_pages),
        "partner_admin": (
            partner_user,
            {"my_scorecard": "/analytics/my/", "quality": f"/quality/partners/{partner_id}/"},
        ),
    }
    timings: dict = {}
    queries: dict = {}

    def client_for(user):
        client = Client(HTTP_HOST="bench.localhost")
        with schema_context("bench"):
            client.force_login(user)
        return client

    def get_of(client, url):
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    # What the WSGI server does once its application is loaded (prm/wsgi.py): the views
    # imported and everything loaded moved out of the garbage collector's full walks.
    from prm.core.startup import settle

    results["frozen_objects"] = settle()
    for who, (user, pages) in roles.items():
        client = client_for(user)
        for name, url in pages.items():
            if args.page and args.page not in name:
                continue
            log(f"{who} {name}")
            timings[f"{who}_{name}"] = measure(get_of(client, url), args.repeat)
            queries[f"{who}_{name}"] = count_queries(client, url)
    # django-tenants' TENANT_LIMIT_SET_CALLS (one SET search_path per request instead of
    # one per query) - a project setting, measured here for the team on three pages.
    settings.TENANT_LIMIT_SET_CALLS = True
    for who in ("cm", "vendor_admin"):
        client = client_for(roles[who][0])
        for name in ("dashboard", "leaderboard", "scorecard"):
            if args.page and args.page not in name:
                continue
            log(f"{who} {name}_limit_set_calls")
            url = staff_pages[name]
            timings[f"{who}_{name}_limit_set_calls"] = measure(get_of(client, url), args.repeat)
    settings.TENANT_LIMIT_SET_CALLS = False
    # The vendor-wide ranking is cached until the next sales refresh: the same pages
    # again with the cache off, as the first request after a refresh finds them.
    settings.ANALYTICS_RANKING_CACHE_SECONDS = 0
    client = client_for(admin)
    for name in ("dashboard", "leaderboard"):
        if args.page and args.page not in name:
            continue
        log(f"vendor_admin {name}_uncached")
        url = staff_pages[name]
        timings[f"vendor_admin_{name}_uncached"] = measure(get_of(client, url), args.repeat)
        queries[f"vendor_admin_{name}_uncached"] = count_queries(client, url)
    del settings.ANALYTICS_RANKING_CACHE_SECONDS
    return timings, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--cms", type=int, default=20)
    parser.add_argument(
        "--users",
        type=int,
        default=0,
        help="partner users (deals are registered by them; 0: by the admin)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="with --reuse: measure the pages only (no summary rebuild or reconciliation)",
    )
    parser.add_argument(
        "--no-reconcile-at-scale",
        action="store_true",
        help="skip the 20 largest partners, the largest one's refresh and reconcile_all",
    )
    parser.add_argument(
        "--refresh-after-import-only",
        action="store_true",
        help="with --reuse: measure only the refresh after an import (partner 1 and the"
        " largest partner, 4 months each)",
    )
    parser.add_argument(
        "--incremental-reconcile-only",
        action="store_true",
        help="with --reuse: measure only the reconciliation of the largest partners after a"
        " one-month import (incremental) next to a full one",
    )
    parser.add_argument(
        "--incremental-partners",
        type=int,
        default=20,
        help="partners (most end customers first) of the incremental-vs-full comparison",
    )
    parser.add_argument("--database", default="prm_bench_reporting")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again on a database kept by --keep (migrates it first)",
    )
    parser.add_argument(
        "--page", default="", help="measure only the pages whose name contains this"
    )
    parser.add_argument(
        "--no-synthetic-findings",
        action="store_true",
        help="leave the partners that were not reconciled without findings",
    )
    args = parser.parse_args()
    # A copy made for one engineer (prm_<name>_...) may be measured, never created or dropped.
    if not args.database.startswith("prm_bench") and not (args.reuse and args.keep):
        parser.error(
            "--database must start with prm_bench (it is created and dropped),"
            " or be measured with --reuse --keep"
        )
    exists = psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'", server=args.server
    )
    if exists and not args.reuse:
        parser.error(f"{args.database} exists; drop it first or pass --reuse")
    if args.reuse and not exists:
        parser.error(f"{args.database} does not exist: run with --keep first")
    os.environ.update(
        DATABASE_URL=f"{args.server}/{args.database}",
        DJANGO_SETTINGS_MODULE="prm.settings",
        AXES_ENABLED="0",
        DEBUG="0",
        TENANT_BASE_SCHEMA="",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    sys.path.insert(0, str(REPO))
    if not args.reuse:
        psql(f'CREATE DATABASE "{args.database}"', server=args.server)
    try:
        log("migrate_schemas --shared" + (" and --tenant" if args.reuse else ""))
        subprocess.run(
            [PY, "manage.py", "migrate_schemas", "--shared", "-v0"],
            cwd=REPO,
            check=True,
            env=dict(os.environ),
        )
        if args.reuse:
            subprocess.run(
                [PY, "manage.py", "migrate_schemas", "--tenant", "-v0"],
                cwd=REPO,
                check=True,
                env=dict(os.environ),
            )
        results = run(args)
        print(json.dumps(results, indent=2))
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)', server=args.server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
