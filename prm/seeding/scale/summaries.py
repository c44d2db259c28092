"""After the load: the summaries rebuilt by the app's own services, and ANALYZE."""

from __future__ import annotations

from prm.seeding.scale.report import Report


def analyze_schema(schema: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'ANALYZE "{schema}"."{table}"')
    return len(tables)


def refresh_summaries(report: Report, *, reconcile: bool = False) -> None:
    """What the nightly job does (reporting.analytics.tasks.refresh_everything), timed.

    Reconciliation (matching every partner's end customers with registrations) is the
    slow part and writes findings, not summaries: only with ``reconcile``.
    """
    from reporting.analytics import services

    with report.phase("summaries: sales") as written:
        written.append(services.refresh_sales_summaries())
    with report.phase("summaries: deals") as written:
        written.append(services.refresh_deal_summaries())
    if reconcile:
        with report.phase("reconciliation"):
            services.reconcile_all()
