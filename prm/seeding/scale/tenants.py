"""Vendors: provisioning one and filling it (:func:`seed_tenant`, the order of every
step), its staff, small tenants in worker processes, and dropping seeded vendors."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta

from prm.seeding.scale.deals import seed_deals, seed_products
from prm.seeding.scale.partners import seed_partner_users, seed_partners
from prm.seeding.scale.pgcopy import copy_text, indexes_dropped, model_template, reserve_ids
from prm.seeding.scale.rates import monthly_rates, seed_rates
from prm.seeding.scale.report import Report
from prm.seeding.scale.sales import seed_sales
from prm.seeding.scale.spec import (
    BULK_ROWS,
    CUSTOMERS,
    SEED_MARK,
    Seeded,
    TenantSpec,
    customer_name,
    password_hash,
)
from prm.seeding.scale.summaries import analyze_schema, refresh_summaries


def seed_staff(cursor, spec: TenantSpec, hashed: str) -> tuple[int, list[int]]:
    from prm.accounts.models import Role, User

    columns, template, at = model_template(
        User, {"password": hashed, "is_active": True}, with_pk=True
    )
    first = reserve_ids(cursor, User._meta.db_table, 1 + spec.cms)

    def rows():
        for n in range(1 + spec.cms):
            row = list(template)
            row[at["id"]] = str(first + n)
            if n == 0:
                row[at["email"]], row[at["full_name"]] = spec.admin_email, "Vendor Admin"
                row[at["role"]] = Role.VENDOR_ADMIN.value
                row[at["is_staff"]] = row[at["is_superuser"]] = "t"
            else:
                row[at["email"]] = f"cm{n}@{spec.mail_domain}"
                row[at["full_name"]] = f"Channel Manager {n}"
                row[at["role"]] = Role.CHANNEL_MANAGER.value
            yield row

    copy_text(cursor, User._meta.db_table, columns, rows())
    return first, list(range(first + 1, first + 1 + spec.cms))


def small_spec(
    base: str,
    number: int,
    *,
    base_domain: str = "localhost",
    partners: int = 3,
    users: int = 8,
    deals: int = 20,
    lines: int = 300,
    seed: int = 1,
) -> TenantSpec:
    """Small tenant ``number`` of ``base``: schema scale_001, host scale-001.<base domain>.

    Underscores in schema names (the template recipe clones only plain identifiers),
    hyphens in host names (underscores are not valid there).
    """
    label = f"{base.replace('_', '-')}-{number:03d}"
    return TenantSpec(
        schema=f"{base}_{number:03d}",
        name=f"Scale Tenant {number:03d}",
        domain=f"{label}.{base_domain}",
        partners=partners,
        users=users,
        deals=deals,
        lines=lines,
        cms=1,
        products=12,
        months=12,
        seed=seed,
    )


def existing_schemas(schemas: Iterable[str]) -> list[str]:
    """Those of ``schemas`` that exist as a vendor or as a PostgreSQL schema."""
    from django.db import connection

    from prm.tenancy.models import Vendor

    wanted = list(schemas)
    found = set(Vendor.objects.filter(schema_name__in=wanted).values_list("schema_name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [wanted])
        found.update(row[0] for row in cursor.fetchall())
    return [schema for schema in wanted if schema in found]


def drop_vendors(schemas: Iterable[str]) -> list[str]:
    """Drop seeded vendors (schema, domains, row). Refuses vendors seed_scale did not make."""
    from django.db import connection

    from prm.tenancy.models import Vendor

    schemas = list(schemas)
    foreign = list(
        Vendor.objects.filter(schema_name__in=schemas)
        .exclude(name__endswith=SEED_MARK)
        .values_list("schema_name", flat=True)
    )
    if foreign:
        raise ValueError(f"not made by seed_scale, not dropped: {', '.join(foreign)}")
    connection.set_schema_to_public()
    for schema in schemas:
        _drop_schema(schema)
        Vendor.objects.filter(schema_name=schema).delete()  # its domains go with it
    return schemas


#: How many times a DROP that deadlocked is tried.
DROP_ATTEMPTS = 5


def _drop_schema(schema: str) -> None:
    """DROP SCHEMA takes its tables' locks one by one; a worker task still running in the
    schema (beat runs some in every vendor every minute) can hold one and ask for another,
    and PostgreSQL ends one side with "deadlock detected". The drop is its own transaction,
    so nothing changed: try again once the task's transaction is over (docs/architecture.md,
    "The worker beside the requests")."""
    from django.db import OperationalError, connection, transaction

    for attempt in range(1, DROP_ATTEMPTS + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            return
        except OperationalError as error:
            deadlocked = getattr(error.__cause__, "sqlstate", None) == "40P01"
            if not deadlocked or attempt == DROP_ATTEMPTS:
                raise
            time.sleep(0.5 * attempt)


def seed_tenant(
    spec: TenantSpec,
    *,
    report: Report,
    hashed: str | None = None,
    today: date | None = None,
    refresh: bool = True,
    analyze: bool = True,
    reconcile: bool = False,
) -> Seeded:
    """Provision ``spec``'s vendor (vendor_create) and fill it; see prm.seeding.scale's docstring.

    The caller makes sure the schema does not exist. ``refresh`` rebuilds the summaries
    with the app's services (the nightly job's work; ``reconcile`` adds reconciliation)
    and ``analyze`` runs ANALYZE on every table of the schema afterwards.
    """
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from prm.tenancy.services import vendor_create

    today = today or date.today()
    hashed = hashed or password_hash()
    rng = random.Random(f"{spec.seed}:{spec.schema}")
    with report.phase("provision (vendor_create)") as written:
        vendor_create(
            schema=spec.schema,
            name=f"{spec.name} {SEED_MARK}",
            domain=spec.domain,
            reporting_currency=spec.reporting_currency,
        )
        written.append(1)
    with schema_context(spec.schema):
        rates = monthly_rates(
            today.replace(day=1) - timedelta(days=31 * (spec.months + 1)), spec.months + 3, rng
        )
        rates = {c: [(v.replace(day=1), r) for v, r in steps] for c, steps in rates.items()}
        with transaction.atomic(), connection.cursor() as cursor:
            with report.phase("staff, catalogue, partners, rates") as written:
                admin_id, cm_ids = seed_staff(cursor, spec, hashed)
                products = seed_products(cursor, spec, rng)
                partners = seed_partners(cursor, spec, cm_ids, rng)
                written += [1 + len(cm_ids), len(products), len(partners)]
                written.append(seed_rates(cursor, rates, spec.reporting_currency))
            with report.phase("partner users and memberships") as written:
                written.append(seed_partner_users(cursor, spec, partners, hashed, rng, today))
        customers = [customer_name(rng) for _ in range(CUSTOMERS)]
        seeded = Seeded(admin_id, cm_ids, partners, products, customers)
        bulk = spec.deals + spec.lines >= BULK_ROWS
        with transaction.atomic(), connection.cursor() as cursor:
            tables = ["deals_deal", "deals_dealline", "deals_dealevent"]
            with indexes_dropped(
                cursor, tables if bulk else [], report=report, phase="deals: foreign keys, indexes"
            ):
                with report.phase("deals, deal lines, history") as written:
                    written += seed_deals(cursor, spec, seeded, today, rng, rates)
        with transaction.atomic(), connection.cursor() as cursor:
            tables = ["reporting_upload", "reporting_importrun", "reporting_salesline"]
            with indexes_dropped(
                cursor, tables if bulk else [], report=report, phase="sales: foreign keys, indexes"
            ):
                seed_sales(cursor, spec, seeded, today, rng, rates, report)
        if refresh:
            refresh_summaries(report, reconcile=reconcile)
        if analyze:
            with report.phase("ANALYZE"):
                analyze_schema(spec.schema)
    return seeded


def _small_worker(job: tuple[TenantSpec, str, date, bool]) -> tuple[str, float, int]:
    spec, hashed, today, reconcile = job
    report = Report(log=lambda _msg: None)
    started = time.perf_counter()
    seed_tenant(spec, report=report, hashed=hashed, today=today, analyze=False, reconcile=reconcile)
    return spec.schema, time.perf_counter() - started, sum(p.rows for p in report.phases)


def seed_small_tenants(
    specs: list[TenantSpec],
    *,
    jobs: int = 2,
    hashed: str | None = None,
    today: date | None = None,
    reconcile: bool = False,
    log: Callable[[str], None] = print,
) -> list[tuple[str, float, int]]:
    """Seed ``specs`` with ``jobs`` worker processes (each its own connection).

    Provisioning copies the template under one advisory lock (prm.tenancy.template), so
    that part runs one at a time whatever ``jobs`` is; the rest overlaps.
    """
    import multiprocessing

    from django.db import connections

    hashed = hashed or password_hash()
    today = today or date.today()
    work = [(spec, hashed, today, reconcile) for spec in specs]
    done: list[tuple[str, float, int]] = []
    if jobs <= 1:
        results: Iterable = map(_small_worker, work)
        for item in results:
            done.append(item)
            _progress(done, len(specs), log)
        return done
    connections.close_all()  # forked workers must open their own connections
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init) as pool:
        for item in pool.imap_unordered(_small_worker, work):
            done.append(item)
            _progress(done, len(specs), log)
    return done


def _worker_init() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.inc_thread_sharing()  # the parent's closed handles: drop, never reuse
        conn.connection = None
        conn.dec_thread_sharing()


def _progress(done: list, total: int, log: Callable[[str], None]) -> None:
    if len(done) % 25 == 0 or len(done) == total:
        log(f"  small tenants: {len(done)}/{total}")
