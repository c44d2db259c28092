"""Scale data for benchmarks: one large vendor and many small ones, written with COPY.

`manage.py seed_scale` drives this module; bench scripts import it (bench/reporting.py
seeds its vendor with :func:`seed_tenant`). What it writes is what the app itself would
hold after months of use, so pages and summaries behave as they would in production:

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

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

#: The one password of every seeded account (printed by the command, documented in README).
SCALE_PASSWORD = "scale-pass-2026"
#: Distinct end customers per vendor in sales lines; registrations name the first
#: REGISTERED of them (partners register some customers, report sales to many more; and
#: each registered name costs ~1 ms of matching keys).
CUSTOMERS = 20_000
REGISTERED = 5_000
#: From this many deals and lines on, secondary indexes are built after the load.
BULK_ROWS = 50_000
#: Marks vendors this module created: `--replace` drops no other vendor.
SEED_MARK = "(seed_scale)"

COUNTRIES = ["US", "DE", "FR", "GB", "VN", "JP", "IT", "ES", "NL", "PL", "AT", "CH", "SE"]
CURRENCY_OF = {"US": "USD", "GB": "GBP", "VN": "VND", "JP": "JPY", "CH": "CHF", "SE": "SEK",
               "PL": "PLN"}  # fmt: skip
#: 1 unit in USD (the seeded vendors report in USD); each month drifts a little from these.
RATES = {"EUR": "1.08", "GBP": "1.27", "VND": "0.00004", "JPY": "0.0067", "CHF": "1.12",
         "SEK": "0.095", "PLN": "0.25"}  # fmt: skip
#: Currencies without minor units.
WHOLE_CURRENCIES = frozenset({"VND", "JPY"})
NAME_WORDS = (
    "Blue",
    "Harbor",
    "Maple",
    "Redwood",
    "Summit",
    "Pine",
    "River",
    "Alpine",
    "Nord",
    "Sun",
    "Delta",
    "Orion",
    "Cedar",
    "Lake",
    "Stone",
    "Silver",
    "Eagle",
    "Minh",
    "Phat",
    "Hafen",
    "Berg",
    "Rhein",
    "Sakura",
    "Kaze",
    "Atlas",
    "Nova",
    "Vista",
)
NAME_TRADES = ("Logistics", "Hotels", "Dental", "Credit Union", "Bakery", "Foods", "Clinic",
               "Maschinenbau", "Retail", "Bank", "Schools", "Farms", "Motors", "Media")  # fmt: skip
NAME_FORMS = ("Inc.", "GmbH", "Ltd", "Co., Ltd.", "SAS", "LLC", "AG", "")
PRODUCT_FAMILIES = (("SW", "Switch", 900, 4000), ("AP", "Access point", 250, 900),
                    ("FW", "Firewall", 1200, 9000), ("RT", "Router", 600, 3000),
                    ("LIC", "Licence", 90, 700), ("SUP", "Support", 120, 500),
                    ("SFP", "Module", 20, 120), ("CBL", "Cable", 10, 40))  # fmt: skip
PEOPLE = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Felix",
    "Hana",
    "Ivan",
    "Julia",
    "Kenji",
    "Lan",
    "Marco",
    "Nora",
    "Oskar",
    "Priya",
    "Quang",
    "Rosa",
    "Sven",
    "Tomas",
    "Yuki",
)
SURNAMES = ("Meyer", "Nguyen", "Smith", "Rossi", "Tanaka", "Garcia", "Novak", "Berg", "Tran",
            "Dubois", "Kowalski", "Jensen", "Costa", "Weber", "Sato", "Brown")  # fmt: skip


# --- Progress and timings -------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> int:
        return int(self.rows / self.seconds) if self.seconds > 0 else 0


@dataclass
class Report:
    """Timed phases of one seeding run, for the final summary and the bench's JSON."""

    log: Callable[[str], None] = print
    phases: list[Phase] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[list[int]]:
        """Time a block; the block appends the rows it wrote to the yielded list."""
        rows: list[int] = []
        started = time.perf_counter()
        self.log(f"  {name} ...")
        yield rows
        seconds = time.perf_counter() - started
        done = Phase(name, sum(rows), seconds)
        self.phases.append(done)
        rate = f", {done.rows_per_second:,} rows/s" if done.rows else ""
        self.log(f"  {name}: {done.rows:,} rows in {seconds:.1f} s{rate}")

    def seconds(self, name: str) -> float:
        return sum(p.seconds for p in self.phases if p.name == name)

    def table(self) -> str:
        lines = [f"{'phase':<34}{'rows':>12}{'seconds':>10}{'rows/s':>12}"]
        for p in self.phases:
            rate = f"{p.rows_per_second:,}" if p.rows else "-"
            lines.append(f"{p.name:<34}{p.rows:>12,}{p.seconds:>10.1f}{rate:>12}")
        total_rows = sum(p.rows for p in self.phases)
        total = sum(p.seconds for p in self.phases)
        lines.append(
            f"{'total':<34}{total_rows:>12,}{total:>10.1f}"
            f"{int(total_rows / total) if total else 0:>12,}"
        )
        return "\n".join(lines)


# --- COPY in text format --------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def text(value: str) -> str:
    """A text value for COPY's text format (escapes backslash, tab, newline)."""
    return value.translate(_ESCAPES)


def encode(value) -> str:
    """Any Python value as one field of COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return text(array_literal(value))
    if isinstance(value, dict):
        return text(json.dumps(value))
    if isinstance(value, str):
        return text(value)
    return str(value)


def array_literal(values: Iterable) -> str:
    """A PostgreSQL array literal with every element quoted."""
    items = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return "{" + ",".join(f'"{item}"' for item in items) + "}"


def model_template(
    model, values: dict | None = None, *, with_pk: bool = False
) -> tuple[list[str], list[str], dict]:
    """Every concrete column of ``model`` with its value encoded for COPY.

    Values come from ``values`` (by field name or column), else the field's default, now
    for auto_now(_add), NULL for nullable fields, "" otherwise. Returns the columns, the
    encoded row and each column's index. The pk is left to the sequence unless
    ``with_pk`` (the caller reserved ids and writes them).
    """
    values = values or {}
    now = datetime.now(UTC)
    columns, row = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key and not with_pk:
            continue
        columns.append(model_field.column)
        if model_field.primary_key:
            value = None
        elif model_field.name in values or model_field.attname in values:
            value = values.get(model_field.name, values.get(model_field.attname))
        elif getattr(model_field, "auto_now_add", False) or getattr(model_field, "auto_now", False):
            value = now
        elif model_field.has_default():
            value = model_field.get_default()
        elif model_field.null:
            value = None
        else:
            value = ""
        row.append(encode(value))
    return columns, row, {column: i for i, column in enumerate(columns)}


def copy_text(cursor, table: str, columns: list[str], rows: Iterable[list[str] | str]) -> int:
    """COPY rows of already encoded fields (or rows already joined by tabs) into ``table``.

    Returns the number of rows written.

    Rows go out in batches of 5,000: one write per row costs more than the COPY itself.
    """
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        chunk: list[str] = []
        for row in rows:
            chunk.append(row if isinstance(row, str) else "\t".join(row))
            count += 1
            if len(chunk) == 5000:
                copy.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            copy.write("\n".join(chunk) + "\n")
    return count


@contextmanager
def indexes_dropped(
    cursor, tables: Iterable[str], *, report: Report | None = None, phase: str = ""
) -> Iterator[None]:
    """Drop the secondary indexes of ``tables`` and create them again afterwards.

    One CREATE INDEX over all rows is several times faster than maintaining the index
    row by row during COPY (above all the GIN index on deals' name keys, which has
    fastupdate off). Indexes that back a constraint (primary keys, unique constraints)
    stay. Use inside the transaction that loads the rows: nobody sees the tables without
    their indexes. With ``report``, the checks and the new indexes are timed as ``phase``.
    """
    tables = list(tables)
    if not tables:
        yield
        return
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                            WHERE c.conname = i.indexname
                              AND c.connamespace = current_schema()::regnamespace)
        """,
        [tables],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    with report.phase(phase) if report else contextlib.nullcontext() as written:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: their checks of the
        # rows just written wait for the commit, and CREATE INDEX refuses a table with
        # pending checks. Run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            cursor.execute(definition)
        if written is not None:
            written.append(0)


def reserve_ids(cursor, table: str, count: int) -> int:
    """Take ``count`` consecutive ids from ``table``'s id sequence; returns the first.

    Safe because a seeded schema has no other writer while it is being seeded.
    """
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


# --- What is seeded ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantSpec:
    """One vendor to seed and how much of everything it gets."""

    schema: str
    name: str
    domain: str
    partners: int
    users: int
    deals: int
    lines: int
    cms: int = 20
    products: int = 60
    months: int = 24
    seed: int = 1
    reporting_currency: str = "USD"

    @property
    def mail_domain(self) -> str:
        return self.domain.split(".")[0] + ".example"

    @property
    def admin_email(self) -> str:
        return f"admin@{self.mail_domain}"


@dataclass
class PartnerRow:
    id: int
    slug: str
    country: str
    currency: str
    channel_manager_id: int | None
    people: list[int] = field(default_factory=list)  # user ids: the admin first, then reps


@dataclass
class Seeded:
    """What later steps (and the bench) need to know about a seeded vendor."""

    admin_id: int
    cm_ids: list[int]
    partners: list[PartnerRow]
    products: list[tuple[int, str, Decimal]]  # id, vendor_sku, list price
    #: End customers: deals register them and sales lines name them (reconciliation).
    customers: list[str] = field(default_factory=list)


def customer_name(rng: random.Random) -> str:
    """A plausible company name (two words, a trade, a legal form): realistic overlap."""
    words = " ".join(rng.sample(NAME_WORDS, 2))
    return f"{words} {rng.choice(NAME_TRADES)} {rng.choice(NAME_FORMS)}".strip()


def person(rng: random.Random) -> str:
    return f"{rng.choice(PEOPLE)} {rng.choice(SURNAMES)}"


def monthly_rates(start: date, months: int, rng: random.Random) -> dict[str, list]:
    """Per currency: (valid_from, rate) for each month from ``start``, drifting +-3 %."""
    from reporting.analytics.selectors import add_months

    rates: dict[str, list] = {}
    for currency, base in RATES.items():
        rate, steps = Decimal(base), []
        for m in range(months + 1):
            steps.append((add_months(start, m), rate))
            rate = (rate * Decimal(1 + rng.uniform(-0.03, 0.03))).quantize(Decimal("1e-10"))
        rates[currency] = steps
    return rates


def password_hash() -> str:
    # PBKDF2 is slow on purpose (Django 5.2: 1,000,000 iterations, ~0.4 s a hash here):
    # hashing 50,000 passwords would take hours. One hash, reused for every account, is a
    # valid hash of the same password (only the salt is shared): fine for benchmark data,
    # never for real accounts.
    from django.contrib.auth.hashers import make_password

    return make_password(SCALE_PASSWORD)


def _staff(cursor, spec: TenantSpec, hashed: str) -> tuple[int, list[int]]:
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


def _products(cursor, spec: TenantSpec, rng: random.Random) -> list[tuple[int, str, Decimal]]:
    from deals.models import Product

    columns, template, at = model_template(
        Product, {"currency": spec.reporting_currency}, with_pk=True
    )
    first = reserve_ids(cursor, Product._meta.db_table, spec.products)
    products = []
    for n in range(spec.products):
        code, family, low, high = PRODUCT_FAMILIES[n % len(PRODUCT_FAMILIES)]
        price = Decimal(rng.randrange(low * 100, high * 100)) / 100
        products.append((first + n, f"{code}-{n + 1:03d}", price, f"{family} {n + 1:03d}"))

    def rows():
        for pk, sku, price, name in products:
            row = list(template)
            row[at["id"]], row[at["vendor_sku"]] = str(pk), sku
            row[at["name"]], row[at["list_price"]] = name, str(price)
            yield row

    copy_text(cursor, Product._meta.db_table, columns, rows())
    return [(pk, sku, price) for pk, sku, price, _family in products]


def _partners(cursor, spec: TenantSpec, cm_ids: list[int], rng) -> list[PartnerRow]:
    from partners.models import Partner

    columns, template, at = model_template(Partner, {"status": "active"}, with_pk=True)
    first = reserve_ids(cursor, Partner._meta.db_table, spec.partners)
    partners = []
    for n in range(spec.partners):
        country = COUNTRIES[n % len(COUNTRIES)]
        partners.append(
            PartnerRow(
                first + n,
                f"partner-{n + 1:05d}",
                country,
                CURRENCY_OF.get(country, "EUR"),
                cm_ids[n % len(cm_ids)] if cm_ids else None,
            )
        )

    def rows():
        for p in partners:
            row = list(template)
            row[at["id"]], row[at["slug"]] = str(p.id), p.slug
            trade = rng.choice(["Systems", "IT", "Networks"])
            row[at["name"]] = f"Partner {p.slug[-5:]} {trade}"
            row[at["country"]], row[at["currency"]] = p.country, p.currency
            row[at["channel_manager_id"]] = encode(p.channel_manager_id)
            row[at["email_domains"]] = encode([f"{p.slug}.example"])
            yield row

    copy_text(cursor, Partner._meta.db_table, columns, rows())
    return partners


def _partner_users(
    cursor, spec: TenantSpec, partners: list[PartnerRow], hashed: str, rng, today: date
) -> int:
    """Every partner gets an admin, the other users are reps, more of them at big partners.

    With fewer users than partners, the first partners get an admin each and the rest none.
    """
    from partners.models import Membership
    from prm.accounts.models import Role, User

    if spec.users <= 0 or not partners:
        return 0
    admins = min(spec.users, len(partners))
    reps = spec.users - admins
    weights = [rng.paretovariate(1.5) for _ in partners]
    rep_counts = [0] * len(partners)
    for index in rng.choices(range(len(partners)), weights=weights, k=reps):
        rep_counts[index] += 1
    first = reserve_ids(cursor, User._meta.db_table, spec.users)
    people: list[tuple[int, PartnerRow, str, int]] = []  # user id, partner, role, rep number
    pk = first
    for index, partner in enumerate(partners[:admins]):
        people.append((pk, partner, Role.PARTNER_ADMIN.value, 0))
        partner.people.append(pk)
        pk += 1
        for number in range(1, rep_counts[index] + 1):
            people.append((pk, partner, Role.PARTNER_REP.value, number))
            partner.people.append(pk)
            pk += 1
    for index in range(admins, len(partners)):  # no admin (users < partners): no reps either
        assert rep_counts[index] == 0

    columns, template, at = model_template(
        User, {"password": hashed, "is_active": True}, with_pk=True
    )

    def users():
        for user_id, partner, role, number in people:
            row = list(template)
            local = "admin" if number == 0 else f"rep{number}"
            row[at["id"]], row[at["email"]] = str(user_id), f"{local}@{partner.slug}.example"
            row[at["full_name"]], row[at["role"]] = person(rng), role
            yield row

    written = copy_text(cursor, User._meta.db_table, columns, users())
    m_columns, m_template, m_at = model_template(Membership)

    def memberships():
        for user_id, partner, role, _number in people:
            row = list(m_template)
            row[m_at["user_id"]], row[m_at["partner_id"]] = str(user_id), str(partner.id)
            if role == Role.PARTNER_REP and rng.random() < 0.3:  # certified reps count for tiers
                row[m_at["certified_on"]] = (today - timedelta(days=rng.randrange(700))).isoformat()
            yield row

    written += copy_text(cursor, Membership._meta.db_table, m_columns, memberships())
    return written


# Deal outcomes and their share of registrations.
DEAL_STATUSES = (("draft", 4), ("submitted", 8), ("more_information", 2), ("approved", 16),
                 ("rejected", 12), ("won", 28), ("lost", 18), ("expired", 12))  # fmt: skip
LOST_REASONS = ("Price", "Customer chose a competitor", "Project cancelled", "No budget")
REJECT_REASONS = ("Customer is a direct account", "Registered by another partner first",
                  "Not enough information")  # fmt: skip


def _deals(
    cursor, spec: TenantSpec, seeded: Seeded, today: date, rng, rates: dict[str, list]
) -> tuple[int, int, int]:
    """Registrations, their lines and their history in one pass; returns the three counts."""
    from deals import matching
    from deals.models import Deal, DealEvent, DealLine

    if spec.deals <= 0 or not seeded.partners:
        return 0, 0, 0
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
    statuses = [s for s, _ in DEAL_STATUSES]
    cum_weights = list(accumulate(w for _, w in DEAL_STATUSES))
    d_columns, d_template, d = model_template(Deal, with_pk=True)
    l_columns, l_template, li = model_template(DealLine)
    e_columns, e_template, e = model_template(DealEvent)
    deal_first = reserve_ids(cursor, Deal._meta.db_table, spec.deals)
    keys: dict[str, tuple[str, str]] = {}
    # Written after the deals (one COPY at a time): kept as joined rows, a fifth of the
    # memory of lists of fields.
    deal_lines: list[str] = []
    events: list[str] = []

    def event(deal_id, at, kind, before, after, actor, comment=""):
        row = list(e_template)
        row[e["deal_id"]], row[e["at"]], row[e["kind"]] = str(deal_id), at.isoformat(), kind
        row[e["from_status"]], row[e["to_status"]] = before, after
        row[e["actor_id"]], row[e["comment"]] = encode(actor), comment
        events.append("\t".join(row))

    def rows():
        for n in range(spec.deals):
            deal_id = deal_first + n
            events_before = len(events)
            partner = seeded.partners[rng.randrange(len(seeded.partners))]
            status = rng.choices(statuses, cum_weights=cum_weights)[0]
            # Dates that fit the status: open ones are recent, approved ones still protected.
            if status in ("draft", "submitted", "more_information"):
                age = rng.randrange(21)
            elif status == "approved":
                age = rng.randrange(3, 85)
            else:
                age = rng.randrange(100 if status == "expired" else 10, 730)
            submitted = now - timedelta(days=age, minutes=rng.randrange(600))
            created = submitted - timedelta(hours=rng.randrange(1, 72))
            registrant = (
                rng.choice(partner.people[1:] or partner.people)
                if partner.people
                else seeded.admin_id
            )
            decider = partner.channel_manager_id or seeded.admin_id
            name = seeded.customers[rng.randrange(min(len(seeded.customers), REGISTERED))]
            if name not in keys:
                domain = "".join(name.lower().split()[:2]) + ".com"
                keys[name] = (
                    domain,
                    encode(matching.domain_key(domain)),
                    encode(matching.name_keys(name)),
                    encode(sorted(matching.company_name_variants(name))),
                )
            domain, domain_key, name_keys, name_forms = keys[name]
            rate = _rate_on(rates, partner.currency, submitted.date())
            products = rng.sample(seeded.products, rng.choice((1, 1, 2, 2, 3)))
            value = Decimal(0)
            for product_id, _sku, price in products:
                quantity = rng.choice((1, 2, 5, 10, 20, 50))
                unit = _local(price, partner.currency, rate)
                value += unit * quantity
                line = list(l_template)
                line[li["deal_id"]], line[li["product_id"]] = str(deal_id), str(product_id)
                line[li["quantity"]], line[li["unit_price"]] = str(quantity), str(unit)
                deal_lines.append("\t".join(line))

            row = list(d_template)
            row[d["id"]], row[d["partner_id"]] = str(deal_id), str(partner.id)
            row[d["registered_by_id"]], row[d["status"]] = str(registrant), status
            row[d["customer_name"]], row[d["customer_domain"]] = text(name), domain
            row[d["customer_country"]] = partner.country
            row[d["customer_domain_key"]], row[d["customer_name_keys"]] = domain_key, name_keys
            row[d["customer_name_forms"]] = name_forms
            row[d["contact_name"]] = person(rng)
            row[d["contact_email"]] = f"buyer@{domain}"
            row[d["expected_value"]], row[d["currency"]] = str(value), partner.currency
            row[d["expected_close_date"]] = (
                submitted.date() + timedelta(days=rng.randrange(30, 180))
            ).isoformat()
            row[d["created_at"]] = created.isoformat()
            row[d["product_ids"]] = encode(sorted(p[0] for p in products))
            event(deal_id, created, "created", "", "draft", registrant)
            if status != "draft":
                row[d["submitted_at"]] = submitted.isoformat()
                row[d["conflicts_checked_at"]] = submitted.isoformat()
                row[d["conflict_score"]] = "0"
                event(deal_id, submitted, "submitted", "draft", "submitted", registrant)
            decided = submitted + timedelta(hours=rng.randrange(2, 96))
            updated = submitted if status != "draft" else created
            if status == "more_information":
                event(
                    deal_id,
                    decided,
                    "information_requested",
                    "submitted",
                    "more_information",
                    decider,
                    "Which sites are in scope?",
                )
                updated = decided
            elif status == "rejected":
                reason = rng.choice(REJECT_REASONS)
                row[d["decided_at"]], row[d["decided_by_id"]] = decided.isoformat(), str(decider)
                row[d["decision_comment"]] = reason
                event(deal_id, decided, "rejected", "submitted", "rejected", decider, reason)
                updated = decided
            elif status in ("approved", "won", "lost", "expired"):
                protected = decided.date() + timedelta(days=90)
                row[d["decided_at"]], row[d["decided_by_id"]] = decided.isoformat(), str(decider)
                row[d["protected_until"]] = protected.isoformat()
                event(deal_id, decided, "approved", "submitted", "approved", decider)
                updated = decided
                if status in ("won", "lost"):
                    closed = min(decided + timedelta(days=rng.randrange(5, 85)), now)
                    row[d["closed_on"]] = closed.date().isoformat()
                    if status == "won":
                        final = (value * Decimal(rng.uniform(0.8, 1.1))).quantize(Decimal("1"))
                        row[d["final_amount"]] = str(final)
                    else:
                        row[d["lost_reason"]] = rng.choice(LOST_REASONS)
                    event(deal_id, closed, status, "approved", status, registrant)
                    updated = closed
                elif status == "expired":
                    ended = datetime.combine(protected, datetime.min.time(), tzinfo=UTC)
                    event(deal_id, ended, "expired", "approved", "expired", None)
                    updated = ended
            row[d["updated_at"]] = updated.isoformat()
            row[d["version"]] = str(len(events) - events_before)  # one per change
            yield row

    deals = copy_text(cursor, Deal._meta.db_table, d_columns, rows())
    lines = copy_text(cursor, DealLine._meta.db_table, l_columns, deal_lines)
    history = copy_text(cursor, DealEvent._meta.db_table, e_columns, events)
    return deals, lines, history


def _rate_on(rates: dict[str, list], currency: str, day: date) -> Decimal:
    """1 unit of ``currency`` in USD on ``day`` (the seeded vendors report in USD)."""
    steps = rates.get(currency)
    if not steps:
        return Decimal(1)
    index = bisect_right(steps, day, key=lambda step: step[0]) - 1
    return steps[max(index, 0)][1]


def _local(usd: Decimal, currency: str, rate: Decimal) -> Decimal:
    """A USD price in ``currency``, rounded as that currency is written."""
    places = Decimal(1) if currency in WHOLE_CURRENCIES else Decimal("0.01")
    return (usd / rate).quantize(places)


def _seed_rates(cursor, rates: dict[str, list], reporting: str) -> int:
    from reporting.models import ExchangeRate

    columns, template, at = model_template(ExchangeRate, {"quote_currency": reporting})

    def rows():
        for currency, steps in rates.items():
            for valid_from, rate in steps:
                row = list(template)
                row[at["currency"]], row[at["rate"]] = currency, str(rate)
                row[at["valid_from"]] = valid_from.isoformat()
                yield row

    return copy_text(cursor, ExchangeRate._meta.db_table, columns, rows())


def _sales(
    cursor,
    spec: TenantSpec,
    seeded: Seeded,
    today: date,
    rng,
    rates: dict[str, list],
    report: Report,
) -> None:
    """Uploads (one per partner and month with sales), their import runs and the lines.

    Lines are first counted per partner and month (big partners sell more, later months a
    little more), then written month by month, partner by partner: the order reports
    arrive in, so each upload's lines sit together on disk as an import leaves them.
    """
    from reporting.analytics.selectors import add_months
    from reporting.models import ImportRun, Upload

    partners = seeded.partners
    if spec.lines <= 0 or not partners:
        return
    start = add_months(today.replace(day=1), -spec.months)
    months = [add_months(start, m) for m in range(spec.months + 1)]
    days = [
        ((add_months(m, 1) if i < spec.months else today + timedelta(days=1)) - m).days
        for i, m in enumerate(months)
    ]
    month_weights = [(1 + 0.02 * i) * days[i] for i in range(len(months))]
    partner_cum = list(accumulate(rng.paretovariate(1.2) for _ in partners))
    month_cum = list(accumulate(month_weights))
    counts = array("I", bytes(4 * len(partners) * len(months)))
    left = spec.lines
    while left:
        k = min(left, 100_000)
        for p, m in zip(
            rng.choices(range(len(partners)), cum_weights=partner_cum, k=k),
            rng.choices(range(len(months)), cum_weights=month_cum, k=k),
            strict=True,
        ):
            counts[m * len(partners) + p] += 1
        left -= k
    cells = [(m, p, c) for i, c in enumerate(counts) if c for m, p in (divmod(i, len(partners)),)]
    del counts
    upload_first = reserve_ids(cursor, Upload._meta.db_table, len(cells))
    now = datetime.now(UTC)

    def arrived(m: int) -> datetime:
        after = add_months(months[m], 1)
        at = datetime.combine(after, datetime.min.time(), tzinfo=UTC) + timedelta(
            days=rng.randrange(1, 10), hours=rng.randrange(7, 18)
        )
        return min(at, now - timedelta(minutes=5))

    times = [arrived(m) for m, _p, _c in cells]

    with report.phase("uploads and import runs") as written:
        u_columns, u_template, u = model_template(
            Upload, {"status": "done", "progress": 100, "encoding": "utf-8"}, with_pk=True
        )

        def uploads():
            for n, (m, p, c) in enumerate(cells):
                partner, month = partners[p], months[m]
                row = list(u_template)
                row[u["id"]], row[u["partner_id"]] = str(upload_first + n), str(partner.id)
                row[u["uploaded_by_id"]] = encode(partner.people[0] if partner.people else None)
                row[u["original_name"]] = f"{partner.slug}_sales_{month:%Y-%m}.csv"
                row[u["file"]] = f"reports/{partner.slug}-{month:%Y-%m}.csv"
                row[u["size"]] = str(90 * c + 120)
                row[u["sha256"]] = hashlib.sha256(
                    f"{spec.schema}:{partner.slug}:{month}".encode()
                ).hexdigest()
                row[u["rows_total"]] = row[u["line_count"]] = str(c)
                row[u["created_at"]] = times[n].isoformat()
                row[u["started_at"]] = (times[n] + timedelta(seconds=2)).isoformat()
                row[u["finished_at"]] = (times[n] + timedelta(seconds=5)).isoformat()
                yield row

        written.append(copy_text(cursor, Upload._meta.db_table, u_columns, uploads()))
        r_columns, r_template, r = model_template(ImportRun, {"status": "done", "progress": 100})

        def runs():
            for n, (_m, p, c) in enumerate(cells):
                row = list(r_template)
                row[r["upload_id"]] = str(upload_first + n)
                row[r["requested_by_id"]] = encode(
                    partners[p].people[0] if partners[p].people else None
                )
                row[r["rows_total"]] = row[r["line_count"]] = str(c)
                row[r["started_at"]] = (times[n] + timedelta(seconds=2)).isoformat()
                row[r["finished_at"]] = (times[n] + timedelta(seconds=5)).isoformat()
                yield row

        written.append(copy_text(cursor, ImportRun._meta.db_table, r_columns, runs()))

    with report.phase("sales lines") as written:
        written.append(
            _sales_lines(
                cursor,
                cells,
                upload_first,
                partners,
                months,
                days,
                seeded,
                rates,
                spec,
                rng,
            )
        )


def _sales_lines(
    cursor, cells, upload_first, partners, months, days, seeded, rates, spec: TenantSpec, rng
) -> int:
    from reporting.models import SalesLine

    products = seeded.products
    sku_cum = list(accumulate(1 / (k + 1) for k in range(len(products))))  # few sell most
    customers = [text(name) for name in seeded.customers]
    columns, template, at = model_template(SalesLine, {"reseller": "", "partner_sku": ""})
    month_days = [
        [(m + timedelta(days=d)).isoformat() for d in range(days[i])] for i, m in enumerate(months)
    ]
    prices: dict[tuple[int, str, int], tuple[str, Decimal, Decimal]] = {}

    def rows():
        for n, (m, p, c) in enumerate(cells):
            partner = partners[p]
            upload = str(upload_first + n)
            rate = _rate_on(rates, partner.currency, months[m])
            stem = f"{partner.slug[-5:]}-{months[m]:%y%m}"
            picks = rng.choices(range(len(products)), cum_weights=sku_cum, k=c)
            for row_number, k in enumerate(picks, start=2):  # row 1: the file's header
                key = (k, partner.currency, m)
                if key not in prices:
                    unit = _local(products[k][2], partner.currency, rate)
                    prices[key] = (products[k][1], unit, rate)
                sku, unit, line_rate = prices[key]
                quantity = rng.randrange(1, 20) if rng.random() > 0.03 else -rng.randrange(1, 3)
                amount = unit * quantity
                day = month_days[m][rng.randrange(days[m])]
                customer = customers[rng.randrange(len(customers))]
                number = f"INV-{stem}-{row_number - 1}"
                row = list(template)
                row[at["upload_id"]], row[at["partner_id"]] = upload, str(partner.id)
                row[at["invoice_number"]], row[at["invoice_date"]] = number, day
                row[at["end_customer"]] = customer
                row[at["end_customer_country"]] = partner.country
                row[at["vendor_sku"]], row[at["quantity"]] = sku, str(quantity)
                row[at["unit_price"]], row[at["amount"]] = str(unit), str(amount)
                row[at["currency"]] = partner.currency
                row[at["amount_reporting"]] = str(
                    (amount * line_rate).quantize(Decimal("0.000001"))
                    if partner.currency != spec.reporting_currency
                    else amount
                )
                row[at["source_row"]] = str(row_number)
                row[at["transaction_type"]] = "return" if quantity < 0 else "sale"
                yield row

    return copy_text(cursor, SalesLine._meta.db_table, columns, rows())


# --- Vendors ------------------------------------------------------------------------------


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
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        Vendor.objects.filter(schema_name=schema).delete()  # its domains go with it
    return schemas


def analyze_schema(schema: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f'ANALYZE "{schema}"."{table}"')
    return len(tables)


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
    """Provision ``spec``'s vendor (vendor_create) and fill it; see the module docstring.

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
                admin_id, cm_ids = _staff(cursor, spec, hashed)
                products = _products(cursor, spec, rng)
                partners = _partners(cursor, spec, cm_ids, rng)
                written += [1 + len(cm_ids), len(products), len(partners)]
                written.append(_seed_rates(cursor, rates, spec.reporting_currency))
            with report.phase("partner users and memberships") as written:
                written.append(_partner_users(cursor, spec, partners, hashed, rng, today))
        customers = [customer_name(rng) for _ in range(CUSTOMERS)]
        seeded = Seeded(admin_id, cm_ids, partners, products, customers)
        bulk = spec.deals + spec.lines >= BULK_ROWS
        with transaction.atomic(), connection.cursor() as cursor:
            tables = ["deals_deal", "deals_dealline", "deals_dealevent"]
            with indexes_dropped(
                cursor, tables if bulk else [], report=report, phase="deals: foreign keys, indexes"
            ):
                with report.phase("deals, deal lines, history") as written:
                    written += _deals(cursor, spec, seeded, today, rng, rates)
        with transaction.atomic(), connection.cursor() as cursor:
            tables = ["reporting_upload", "reporting_importrun", "reporting_salesline"]
            with indexes_dropped(
                cursor, tables if bulk else [], report=report, phase="sales: foreign keys, indexes"
            ):
                _sales(cursor, spec, seeded, today, rng, rates, report)
        if refresh:
            refresh_summaries(report, reconcile=reconcile)
        if analyze:
            with report.phase("ANALYZE"):
                analyze_schema(spec.schema)
    return seeded


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


# --- Many small tenants, in worker processes -------------------------------------------------


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
