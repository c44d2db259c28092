"""Scale data for benchmarks: one large vendor and many small ones, written with COPY.

`manage.py seed_scale` drives this package; bench scripts import it (bench/reporting.py
seeds its vendor with :func:`seed_tenant`). One module per thing seeded: `tenants`
(provisioning, staff, the order of every step, small tenants in worker processes),
`partners`, `deals` (with the catalogue), `rates`, `sales` (uploads and sales lines),
`summaries`; `spec` says how much, `pgcopy` writes rows, `report` times the phases.

What it writes is what the app itself would hold after months of use, so pages and
summaries behave as they would in production:

- vendor staff (an admin, channel managers), partners spread over the CMs, partner users
  (every partner an admin, reps skewed towards big partners) each with one Membership;
- a catalogue, deal registrations with lines and their history (created, submitted,
  decided, closed, expired) in consistent statuses and dates, registered by the partner's
  own users;
- one finished upload (and its import run) per partner and month with sales, and the
  canonical sales lines, converted at the monthly exchange rates the vendor holds;
- then the summaries rebuilt by the app's own services (reporting.analytics.services;
  reconciliation of sales with registrations only when asked: it takes far longer than
  everything else), and ANALYZE.

Everything is deterministic for a given seed and day. Rows go in with PostgreSQL COPY in text
format, a few transactions per vendor; ids are reserved from each table's sequence up
front, so related rows (memberships, deal lines, history, sales lines) are written in one
pass without reading anything back. For big loads the secondary indexes of the deal and
sales tables are dropped and built again after the COPY, in the same transaction.
"""

from prm.seeding.scale.report import Phase, Report
from prm.seeding.scale.spec import (
    SCALE_PASSWORD,
    SEED_MARK,
    PartnerRow,
    Seeded,
    TenantSpec,
    password_hash,
)
from prm.seeding.scale.summaries import analyze_schema, refresh_summaries
from prm.seeding.scale.tenants import (
    drop_vendors,
    existing_schemas,
    seed_small_tenants,
    seed_tenant,
    small_spec,
)

__all__ = [
    "SCALE_PASSWORD",
    "SEED_MARK",
    "PartnerRow",
    "Phase",
    "Report",
    "Seeded",
    "TenantSpec",
    "analyze_schema",
    "drop_vendors",
    "existing_schemas",
    "password_hash",
    "refresh_summaries",
    "seed_small_tenants",
    "seed_tenant",
    "small_spec",
]
