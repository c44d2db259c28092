"""Reporting at scale: dashboard, leaderboard and scorecard server time over summary tables.

    nice -n 10 .venv/bin/python bench/reporting.py > bench/results/reporting.json

Creates its own database (prm_bench_reporting by default; refuses one that exists), one
vendor with --partners partners (assigned to --cms channel managers), --deals
registrations and --lines sales lines over the last 24 months, all written with COPY.
Then it rebuilds the summary tables (timed) and measures, in-process through Django's
test client (middleware, tenant routing, views, templates: the server's time without the
network), p50/p95 of:

- the CM dashboard (/analytics/), the leaderboard (/analytics/leaderboard/) and a partner
  scorecard (/analytics/partners/<id>/), as a CM with an average portfolio;
- the same for the vendor admin (every partner);
- the CM dashboard's figures computed from the raw lines instead (the comparison).

Drops the database at the end (unless --keep). Prints one JSON document; progress on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
SKUS = [f"SKU-{i:03d}" for i in range(1, 61)]
COUNTRIES = ["US", "DE", "FR", "GB", "VN", "JP", "IT", "ES", "NL", "PL", "AT", "CH", "SE"]
CURRENCY_OF = {"US": "USD", "GB": "GBP", "VN": "VND", "JP": "JPY", "CH": "CHF", "SE": "SEK",
               "PL": "PLN"}
NAME_WORDS = ("Blue", "Harbor", "Maple", "Redwood", "Summit", "Pine", "River", "Alpine", "Nord",
              "Sun", "Delta", "Orion", "Cedar", "Lake", "Stone", "Silver", "Eagle", "Minh",
              "Phat", "Hafen", "Berg", "Rhein", "Sakura", "Kaze", "Atlas", "Nova", "Vista")
NAME_TRADES = ("Logistics", "Hotels", "Dental", "Credit Union", "Bakery", "Foods", "Clinic",
               "Maschinenbau", "Retail", "Bank", "Schools", "Farms", "Motors", "Media")
NAME_FORMS = ("Inc.", "GmbH", "Ltd", "Co., Ltd.", "SAS", "LLC", "AG", "")
RATES = {"EUR": "1.08", "GBP": "1.27", "VND": "0.00004", "JPY": "0.0067", "CHF": "1.12",
         "SEK": "0.095", "PLN": "0.25"}


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def psql(sql: str, *, server: str) -> str:
    return subprocess.run(
        ["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {"n": len(ordered), "p50_ms": pct(0.50), "p95_ms": pct(0.95),
            "mean_ms": round(1000 * statistics.mean(ordered), 1),
            "max_ms": round(1000 * ordered[-1], 1)}


def measure(call, repeat: int, warmup: int = 2) -> dict:
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return percentiles(seconds)


# --- Seeding (inside the tenant schema) ----------------------------------------------------


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def model_columns(model, values: dict) -> tuple[list[str], list]:
    """Every concrete column of ``model`` but the pk: ``values`` or the field's default."""
    from django.db.models import JSONField
    from psycopg.types.json import Jsonb

    columns, defaults = [], []
    now = datetime.now(UTC)
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.name in values or field.attname in values:
            defaults.append(values.get(field.name, values.get(field.attname)))
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            defaults.append(now)
        elif field.has_default():
            defaults.append(field.get_default())
        elif field.null:
            defaults.append(None)
        else:
            defaults.append("")
        if isinstance(field, JSONField):
            defaults[-1] = Jsonb(defaults[-1])
    return columns, defaults


def customer_name(rng: random.Random) -> str:
    """A plausible company name (two words, a trade, a legal form): realistic overlap."""
    words = " ".join(rng.sample(NAME_WORDS, 2))
    return f"{words} {rng.choice(NAME_TRADES)} {rng.choice(NAME_FORMS)}".strip()


def seed_partners(cursor, count: int, cm_ids: list[int], rng: random.Random) -> list[tuple]:
    from partners.models import Partner

    columns, template = model_columns(Partner, {"status": "active"})
    index = {c: i for i, c in enumerate(columns)}

    def rows():
        for n in range(count):
            row = list(template)
            country = COUNTRIES[n % len(COUNTRIES)]
            row[index["name"]] = f"Partner {n:05d} {rng.choice(['Systems', 'IT', 'Networks'])}"
            row[index["slug"]] = f"partner-{n:05d}"
            row[index["country"]] = country
            row[index["currency"]] = CURRENCY_OF.get(country, "EUR")
            row[index["channel_manager_id"]] = cm_ids[n % len(cm_ids)]
            yield row

    copy_rows(cursor, Partner._meta.db_table, columns, rows())
    cursor.execute(f"SELECT id, country, currency FROM {Partner._meta.db_table} ORDER BY id")
    return cursor.fetchall()


def seed_deals(cursor, count: int, partners, user_id: int, today: date, rng) -> int:
    from deals import matching
    from deals.models import Deal

    keys: dict[str, list[str]] = {}

    columns, template = model_columns(Deal, {"registered_by": user_id})
    index = {c: i for i, c in enumerate(columns)}
    statuses = (["submitted"] * 10 + ["approved"] * 25 + ["won"] * 20 + ["lost"] * 15
                + ["rejected"] * 15 + ["expired"] * 10 + ["draft"] * 5)

    def rows():
        for _n in range(count):
            partner_id, country, currency = partners[rng.randrange(len(partners))]
            submitted = datetime.combine(today - timedelta(days=rng.randrange(730)),
                                         datetime.min.time(), tzinfo=UTC)
            status = rng.choice(statuses)
            decided = (submitted + timedelta(hours=rng.randrange(1, 200))
                       if status not in ("submitted", "draft") else None)
            row = list(template)
            row[index["partner_id"]] = partner_id
            row[index["customer_name"]] = name = customer_name(rng)
            if name not in keys:
                keys[name] = matching.name_keys(name)
            row[index["customer_name_keys"]] = keys[name]
            row[index["customer_country"]] = country
            row[index["status"]] = status
            row[index["currency"]] = currency
            row[index["expected_value"]] = Decimal(rng.randrange(1000, 200000))
            row[index["submitted_at"]] = submitted if status != "draft" else None
            row[index["decided_at"]] = decided
            row[index["protected_until"]] = (decided.date() + timedelta(days=90)
                                             if status == "approved" else None)
            if status in ("won", "lost"):
                row[index["closed_on"]] = (decided + timedelta(days=30)).date()
            if status == "won":
                row[index["final_amount"]] = row[index["expected_value"]]
            yield row

    return copy_rows(cursor, Deal._meta.db_table, columns, rows())


def seed_uploads(cursor, partners, today: date) -> dict[int, int]:
    """One finished upload per partner (the real sales line needs one)."""
    from reporting.analytics import sources

    model = sources.upload_model()
    columns, template = model_columns(model, {"status": "done", "size": 1})
    index = {c: i for i, c in enumerate(columns)}

    def rows():
        for partner_id, _country, _currency in partners:
            row = list(template)
            row[index["partner_id"]] = partner_id
            row[index["original_name"]] = "bench.csv"
            row[index["file"]] = f"reports/bench-{partner_id}.csv"
            row[index["sha256"]] = f"{partner_id:064d}"
            yield row

    copy_rows(cursor, model._meta.db_table, columns, rows())
    cursor.execute(f"SELECT partner_id, id FROM {model._meta.db_table}")
    return dict(cursor.fetchall())


def seed_lines(cursor, relation, count: int, partners, today: date, rng) -> int:
    from reporting.analytics import sources

    weights = [1 / (k + 1) for k in range(len(SKUS))]  # a few products sell most
    start = today.replace(day=1) - timedelta(days=730)
    model = sources.sales_line_model()
    real = model is not None and model._meta.db_table == relation.table
    canonical = [relation.partner, relation.invoice_number, relation.invoice_date,
                 relation.end_customer, relation.end_customer_country, relation.vendor_sku,
                 relation.quantity, relation.amount, relation.currency]
    if real:
        uploads = seed_uploads(cursor, partners, today)
        columns, template = model_columns(model, {"raw_row": "", "reseller": "",
                                                  "partner_sku": ""})
        index = {c: i for i, c in enumerate(columns)}
    else:
        columns = canonical
    skus = rng.choices(SKUS, weights=weights, k=count)
    customers = [customer_name(rng) for _ in range(20000)]

    def rows():
        for n in range(count):
            partner_id, country, currency = partners[rng.randrange(len(partners))]
            quantity = rng.randrange(1, 20) if rng.random() > 0.03 else -rng.randrange(1, 3)
            price = 100 + (hash(skus[n]) % 2000)
            if currency in ("VND",):
                price *= 25000
            elif currency == "JPY":
                price *= 150
            values = (partner_id, f"INV-{n}",
                      start + timedelta(days=rng.randrange(730 + today.day)),
                      customers[rng.randrange(len(customers))], country, skus[n], quantity,
                      Decimal(quantity * price), currency)
            if not real:
                yield values
                continue
            row = list(template)
            for column, value in zip(canonical, values, strict=True):
                row[index[column]] = value
            row[index["upload_id"]] = uploads[partner_id]
            row[index["unit_price"]] = Decimal(price)
            row[index["source_row"]] = n + 1
            row[index["transaction_type"]] = "return" if quantity < 0 else "sale"
            yield row

    return copy_rows(cursor, relation.table, columns, rows())


# --- The same dashboard from raw lines -----------------------------------------------------


def dashboard_from_raw(cursor, relation, cm_id: int, period, reporting: str) -> None:
    """The CM dashboard's sales figures straight from the lines (what summaries avoid)."""
    from reporting.analytics.services import RATES_CTE, _rate_join

    r = relation
    scope = (f"l.{r.partner} IN (SELECT id FROM partners_partner "
             f"WHERE channel_manager_id = %(cm)s)")
    day, currency = f"l.{r.invoice_date}", f"upper(l.{r.currency})"
    base = (f"WITH {RATES_CTE} SELECT {{select}} FROM {r.table} l "
            f"{_rate_join('x', currency, day)} WHERE {scope} AND {day} >= %(from)s "
            f"AND {day} < %(to)s {{group}}")
    params = {"cm": cm_id, "reporting": reporting, "from": period.last_year.start,
              "to": (period.end + timedelta(days=31)).replace(day=1)}
    amount = f"l.{r.amount} * x.rate"
    in_period = f"{day} >= '{period.start}'"
    queries = [
        (f"sum({amount}) FILTER (WHERE {in_period}), count(*) FILTER (WHERE x.rate IS NULL)", ""),
        (f"date_trunc('month', {day}), sum({amount})", "GROUP BY 1"),
        (f"l.{r.partner}, sum({amount}) FILTER (WHERE {in_period})",
         "GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 10"),
        (f"l.{r.vendor_sku}, sum({amount}) FILTER (WHERE {in_period})",
         "GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 10"),
        (f"l.{r.end_customer_country}, sum({amount}) FILTER (WHERE {in_period})",
         "GROUP BY 1"),
    ]
    for select, group in queries:
        cursor.execute(base.format(select=select, group=group), params)
        cursor.fetchall()


def seed(args, results, rng, today):
    from django.db import connection
    from django_tenants.utils import schema_context

    from prm.accounts.models import Role
    from prm.accounts.services import user_create
    from prm.tenancy.services import vendor_create
    from reporting.analytics import sources

    log("create the vendor (every tenant migration)")
    vendor_create(schema="bench", name="Bench Networks", domain="bench.localhost")
    with schema_context("bench"):
        admin = user_create(email="admin@bench.example", password="bench-pass-2026!",
                            role=Role.VENDOR_ADMIN, full_name="Bench Admin")
        cms = [user_create(email=f"cm{i}@bench.example", password="bench-pass-2026!",
                           role=Role.CHANNEL_MANAGER, full_name=f"CM {i}")
               for i in range(args.cms)]
        relation = sources.sales_lines()
        with connection.cursor() as cursor:
            if relation is None:
                # The ingestion app's model is not there yet: a table with the canonical
                # columns stands in (sources.sales_lines is pointed at it).
                cursor.execute(
                    "CREATE TABLE bench_salesline (id bigserial PRIMARY KEY, partner_id bigint"
                    " NOT NULL, invoice_number text, invoice_date date NOT NULL, end_customer"
                    " text, end_customer_country varchar(2), vendor_sku varchar(64), quantity"
                    " integer, amount numeric(14, 2), currency varchar(3))")
                relation = sources.Relation(
                    "bench_salesline",
                    {name: name for name in sources.SALES_LINE_FIELDS} | {"partner": "partner_id"})
                sources.sales_lines = lambda: relation
                results["sales_line_table"] = "bench_salesline (stand-in)"
            else:
                results["sales_line_table"] = relation.table
            started = time.perf_counter()
            partners = seed_partners(cursor, args.partners, [cm.pk for cm in cms], rng)
            results["seed_partners_s"] = round(time.perf_counter() - started, 1)
            log(f"{len(partners)} partners")
            started = time.perf_counter()
            seed_deals(cursor, args.deals, partners, admin.pk, today, rng)
            results["seed_deals_s"] = round(time.perf_counter() - started, 1)
            log(f"{args.deals} deals")
            started = time.perf_counter()
            seed_lines(cursor, relation, args.lines, partners, today, rng)
            results["seed_lines_s"] = round(time.perf_counter() - started, 1)
            results["seed_lines_rows_per_s"] = int(args.lines / results["seed_lines_s"])
            log(f"{args.lines} sales lines")
            if relation.table == "bench_salesline":
                cursor.execute("CREATE INDEX ON bench_salesline (partner_id, invoice_date)")
            cursor.execute("INSERT INTO analytics_exchangerate (currency, quote_currency, rate,"
                           " valid_from, updated_at) SELECT c, 'USD', r::numeric, '2000-01-01',"
                           " now() FROM (VALUES " + ", ".join(
                               f"('{c}', '{r}')" for c, r in RATES.items()) + ") v(c, r)")
            cursor.execute("ANALYZE")
    return admin, cms, relation, partners


# --- Main ----------------------------------------------------------------------------------


def run(args) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from prm.accounts.models import Role
    from reporting.analytics import services, sources
    from reporting.analytics.selectors import Period

    settings.TENANT_BASE_SCHEMA = ""
    settings.TENANT_CREATION_FAKES_MIGRATIONS = False
    rng = random.Random(2026)
    today = date.today()
    results: dict = {"partners": args.partners, "deals": args.deals, "lines": args.lines,
                     "cms": args.cms}
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
        admin, cms, relation, partners = seed(args, results, rng, today)
    with schema_context("bench"):
        log("rebuild summaries")
        started = time.perf_counter()
        services.refresh_sales_summaries()
        results["refresh_sales_all_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        services.refresh_deal_summaries()
        results["refresh_deals_all_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        services.refresh_all(partner_ids=[partners[0][0]])  # what the task does per import
        results["refresh_one_partner_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        services.reconcile_sales(partner_ids=[pk for pk, _c, _cur in partners[:20]])
        results["reconcile_20_partners_s"] = round(time.perf_counter() - started, 2)
        from reporting.analytics.models import DealMonth, SalesMonth, SalesMonthProduct

        results["summary_rows"] = {
            "sales_month_product": SalesMonthProduct.objects.count(),
            "sales_month": SalesMonth.objects.count(),
            "deal_month": DealMonth.objects.count(),
        }
        with connection.cursor() as cursor:
            # What autovacuum does soon after a rebuild: statistics and the visibility
            # map (so the covering index answers a CM's product figures by itself).
            for table in ("analytics_salesmonthproduct", "analytics_salesmonth",
                          "analytics_salesmonthcountry", "analytics_tenantmonth",
                          "analytics_dealmonth"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        cm = cms[0]
        partner_id = cm.managed_partners.order_by("pk").values_list("pk", flat=True)[3]
        results["cm_partners"] = cm.managed_partners.count()
    # Requests: through the full stack, on the vendor's host.
    pages = {
        "dashboard": "/analytics/",
        "leaderboard": "/analytics/leaderboard/",
        "scorecard": f"/analytics/partners/{partner_id}/",
    }
    timings: dict = {}
    # Second round: django-tenants' TENANT_LIMIT_SET_CALLS (one SET search_path per
    # request instead of one per query) - a project setting, measured here for the team.
    for suffix, limit_set_calls in (("", False), ("_limit_set_calls", True)):
        settings.TENANT_LIMIT_SET_CALLS = limit_set_calls
        for who, user in (("cm", cm), ("vendor_admin", admin)):
            client = Client(HTTP_HOST="bench.localhost")
            with schema_context("bench"):
                client.force_login(user)
            for name, url in pages.items():
                def get(url=url, client=client):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)
                log(f"{who} {name}{suffix}")
                timings[f"{who}_{name}{suffix}"] = measure(get, args.repeat)
    settings.TENANT_LIMIT_SET_CALLS = False
    with schema_context("bench"), connection.cursor() as cursor:
        period = Period.last_months(12)
        log("cm dashboard from raw lines")
        timings["cm_dashboard_from_raw_lines"] = measure(
            lambda: dashboard_from_raw(cursor, relation, cm.pk, period, "USD"),
            max(3, args.repeat // 5), warmup=1)
    results["timings"] = timings
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--cms", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", default="prm_bench_reporting")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true",
                        help="measure again on a database kept by --keep (migrates it first)")
    args = parser.parse_args()
    if not args.database.startswith("prm_bench"):
        parser.error("--database must start with prm_bench (it is created and dropped)")
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'",
                  server=args.server)
    if exists and not args.reuse:
        parser.error(f"{args.database} exists; drop it first or pass --reuse")
    if args.reuse and not exists:
        parser.error(f"{args.database} does not exist: run with --keep first")
    os.environ.update(
        DATABASE_URL=f"{args.server}/{args.database}", DJANGO_SETTINGS_MODULE="prm.settings",
        AXES_ENABLED="0", DEBUG="0", TENANT_BASE_SCHEMA="", CELERY_TASK_ALWAYS_EAGER="0",
    )
    sys.path.insert(0, str(REPO))
    if not args.reuse:
        psql(f'CREATE DATABASE "{args.database}"', server=args.server)
    try:
        log("migrate_schemas --shared" + (" and --tenant" if args.reuse else ""))
        subprocess.run([PY, "manage.py", "migrate_schemas", "--shared", "-v0"], cwd=REPO,
                       check=True, env=dict(os.environ))
        if args.reuse:
            subprocess.run([PY, "manage.py", "migrate_schemas", "--tenant", "-v0"], cwd=REPO,
                           check=True, env=dict(os.environ))
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
