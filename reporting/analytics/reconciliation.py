"""Reconciliation of partners' reported sales with deal registrations, and CM decisions.

For each partner's end customer: lines inside the protection window of the partner's own
approved/won registration of that customer (similar name, overlapping products) are a
*match*; lines to a customer another partner registered are a *conflict*; other customers
are *unregistered*. Won registrations with no matching line are *won without sales*.

Names are matched once, not per run: a tenant has few distinct names (on the seed_scale
data 17,546 reported and 4,856 registered) against 1.1 million partner-customer pairs, and
the keys and similarity of two names depend on the names only. The first run that sees a
name computes its keys and the registered names similar to it (tables SaleCustomerName,
RegisteredCustomerName, CustomerNameMatch); every run then joins those matches to the
registrations in one query. When deals.matching's rules change, empty the three tables
(in a migration): the next run fills them again.

Entry points: ``reconcile_sales(partner_ids=..., changed_only=True)`` (what an import's
refresh runs: only the end customers whose lines changed),
``reconcile_all()`` (every partner, sharing the candidates between batches) and
``finding_decide``. All are importable from ``reporting.analytics.services`` too.
"""

from __future__ import annotations

import functools
import gc
import heapq
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reporting.analytics import sources
from reporting.analytics.models import (
    CustomerNameMatch,
    FindingKind,
    FindingStatus,
    ReconciledPartner,
    ReconciliationChange,
    ReconciliationFinding,
    RegisteredCustomerName,
    SaleCustomerName,
)

#: A sale's end customer and a registration's customer are the same company at or above
#: this name similarity (deals.matching's threshold for "same name").
MATCH_SIMILARITY = 85
#: Registrations a sale can be reconciled with (the partner's own) ...
OWN_CLAIM_STATUSES = ("approved", "won")
#: ... and registrations of other partners that make a sale a channel conflict.
RIVAL_CLAIM_STATUSES = ("submitted", "more_information", "approved", "won")
#: A won deal's invoices may come a little after its closing date.
AFTER_CLOSE_GRACE_DAYS = 60
#: Registrations compared per end customer: the best ranked (most shared name keys, the
#: partner's own before rivals', then oldest), so a name that many partners registered
#: gives a few conflicts, not one per registration.
MAX_CANDIDATES = 5
#: Partners reconciled per transaction when everything is reconciled (bounded memory).
RECONCILE_BATCH = 200
#: Advisory lock key (with the schema's hash) serialising the matching of new names: two
#: workers adding a reported and a registered name at once would each miss the other's.
_NAMES_LOCK_KEY = 0x5A1E6
#: An incremental run that would recompute more than this share of a partner's customer
#: groups (counted from its kept finding counts) runs in full instead: filtering the
#: partner's lines by thousands of names costs more than reading them all (seed_scale's
#: largest partner: one month names 85 % of its customers; 5.8 s of CPU filtered, 5.3 s
#: in full). Below FULL_RUN_MIN_GROUPS either is cheap, and the run stays incremental.
FULL_RUN_SHARE = 0.5
FULL_RUN_MIN_GROUPS = 1000
#: Advisory lock key (with the partner's id) serialising the runs of one partner: an
#: incremental run takes the partner's noted changes and writes what they imply.
_PARTNER_LOCK_KEY = 0x5A1E7


@dataclass
class SaleGroup:
    """A partner's reported lines to one end customer, per product and day."""

    partner_id: int
    end_customer: str
    country: str
    key: str
    lines: list[tuple[str, date, Decimal, int]] = field(default_factory=list)


@dataclass
class Claim:
    deal_id: int
    partner_id: int
    status: str
    customer_name: str
    skus: set[str] | None  # None until loaded
    #: decided_at, protected_until, submitted_at, closed_on and the run's time zone (read
    #: once a run: looking it up cost 0.2 s for 10,000 registrations).
    dates: tuple = ()

    @functools.cached_property
    def window(self) -> tuple[date, date] | None:
        """The invoice dates that count for this registration. Computed when compared: a
        run reads ~20,000 registrations of which a few thousand are compared."""
        decided, until, submitted, closed, tz = self.dates
        return _claim_window(self.status, decided, until, submitted, closed, tz)


@dataclass
class Candidate:
    claim: Claim
    score: int
    shared_keys: int


def _claim_window(status, decided_at, protected_until, submitted_at, closed_on, tz=None):
    start = decided_at or submitted_at
    if start is None:
        return None
    start = timezone.localdate(start, tz) if isinstance(start, datetime) else start
    end = protected_until
    if status == "won" and closed_on:
        end = max(end or closed_on, closed_on + timedelta(days=AFTER_CLOSE_GRACE_DAYS))
    if status in ("submitted", "more_information"):
        end = start + timedelta(days=365)
    return (start, end or start + timedelta(days=365))


# --- Names: keys and matches computed once per name ---------------------------------------


# Pure functions of a string, kept per worker: a new name meets the same registered names.
@functools.lru_cache(maxsize=100_000)
def _customer_key(name: str) -> str:
    from deals import matching

    return matching.normalise_company_name(name) or name.strip().lower()


@functools.lru_cache(maxsize=100_000)
def _query_keys(name: str) -> tuple[str, ...]:
    from deals import matching

    return tuple(matching.name_query_keys(name))


@functools.lru_cache(maxsize=100_000)
def _similarity(left: str, right: str) -> int:
    from deals import matching

    return matching.name_similarity(left, right)


def _strong(keys: Iterable[str]) -> list[str]:
    # Single words ("logistics") are no evidence of the same company: a registration must
    # share the whole name or a pair of words; all keys then rank the candidates.
    return [key for key in keys if key.startswith("=") or "+" in key]


#: A pair of words more registrations than this share identifies no company ("Cedar
#: Atlas" of every "Cedar Atlas <trade>"), as a single word does not: it finds no candidates.
#: Counted when a reported name is first seen; the name's stored strong keys leave it out.
COMMON_PAIR_REGISTRATIONS = 200


def _common_pairs(cursor, keys: set[str]) -> set[str]:
    """The pair keys of ``keys`` more than COMMON_PAIR_REGISTRATIONS registrations hold
    (counted up to one more than that, through the GIN index)."""
    pairs = sorted(key for key in keys if "+" in key)
    if not pairs:
        return set()
    cursor.execute(
        """
        SELECT k FROM unnest(%(keys)s::varchar[]) k
         WHERE (SELECT count(*) FROM (
                    SELECT 1 FROM deals_deal d
                     WHERE d.customer_name_keys @> ARRAY[k]
                     LIMIT %(limit)s) AS sharing) = %(limit)s
        """,
        {"keys": pairs, "limit": COMMON_PAIR_REGISTRATIONS + 1},
    )
    return {row[0] for row in cursor.fetchall()}


def _new_registered_names(cursor) -> list[tuple[str, list[str]]]:
    """Customer names of registrations not matched yet (every status: a draft's name is
    matched before it is submitted). The distinct names are read by skipping through the
    name index, one probe a name (4,856 on seed_scale), not by reading 200,000 rows."""
    from deals.models import Deal

    deal_table = Deal._meta.db_table
    cursor.execute(
        f"""
        WITH RECURSIVE names(name) AS (
            (SELECT customer_name FROM {deal_table} ORDER BY customer_name LIMIT 1)
            UNION ALL
            SELECT (SELECT d.customer_name FROM {deal_table} d WHERE d.customer_name > n.name
                     ORDER BY d.customer_name LIMIT 1)
              FROM names n WHERE n.name IS NOT NULL
        )
        SELECT n.name, (SELECT d.customer_name_keys FROM {deal_table} d
                         WHERE d.customer_name = n.name ORDER BY d.id LIMIT 1)
          FROM names n
         WHERE n.name <> '' AND NOT EXISTS (
               SELECT 1 FROM {RegisteredCustomerName._meta.db_table} r WHERE r.name = n.name)
        """
    )
    return cursor.fetchall()


def _store_matches(cursor, pairs: Iterable[tuple[str, list[str], str, list[str]]]) -> None:
    """Score (sale name, its keys, registered name, its keys) pairs sharing a strong key
    and keep those similar enough."""
    rows = []
    for sale_name, sale_keys, registered_name, registered_keys in pairs:
        score = _similarity(sale_name, registered_name)
        if score >= MATCH_SIMILARITY:
            shared = len(set(sale_keys).intersection(registered_keys))
            rows.append([sale_name, registered_name, score, shared])
    if not rows:
        return
    cursor.execute(
        f"""
        INSERT INTO {CustomerNameMatch._meta.db_table}
               (sale_name, registered_name, score, shared_keys)
        SELECT r->>0, r->>1, (r->>2)::smallint, (r->>3)::smallint
          FROM jsonb_array_elements(%(rows)s::jsonb) r
        ON CONFLICT ON CONSTRAINT namematch_unique DO NOTHING
        """,
        {"rows": json.dumps(rows)},
    )


def match_names(sale_names: set[str]) -> dict[str, str]:
    """The customer key of each of ``sale_names``; names (reported or registered) seen for
    the first time get their keys and matches stored first."""
    sale_table = SaleCustomerName._meta.db_table
    registered_table = RegisteredCustomerName._meta.db_table
    keys: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, customer_key FROM {sale_table} WHERE name = ANY(%(names)s)",
            {"names": list(sale_names)},
        )
        keys.update(cursor.fetchall())
        new_sales = sale_names - keys.keys()
        new_registered = _new_registered_names(cursor)
        if not new_sales and not new_registered:
            return keys
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_NAMES_LOCK_KEY]
        )
        # Another worker may have stored some of them while this one waited.
        new_registered = _new_registered_names(cursor)
        if new_registered:
            cursor.execute(
                f"""
                INSERT INTO {registered_table} (name, customer_key, keys)
                SELECT r->>0, r->>1, ARRAY(SELECT jsonb_array_elements_text(r->2))
                  FROM jsonb_array_elements(%(rows)s::jsonb) r
                """,
                {
                    "rows": json.dumps(
                        [[name, _customer_key(name), nkeys] for name, nkeys in new_registered]
                    )
                },
            )
            cursor.execute(
                f"""
                SELECT s.name, s.keys, r.name, r.keys
                  FROM {registered_table} r JOIN {sale_table} s ON s.strong_keys && r.keys
                 WHERE r.name = ANY(%(names)s)
                """,
                {"names": [name for name, _keys in new_registered]},
            )
            _store_matches(cursor, cursor.fetchall())
        cursor.execute(
            f"SELECT name, customer_key FROM {sale_table} WHERE name = ANY(%(names)s)",
            {"names": list(new_sales)},
        )
        keys.update(cursor.fetchall())
        new_sales -= keys.keys()
        if new_sales:
            query_keys = {name: list(_query_keys(name)) for name in new_sales}
            common = _common_pairs(
                cursor, {key for name in new_sales for key in _strong(query_keys[name])}
            )
            rows = []
            for name in sorted(new_sales):
                strong = [key for key in _strong(query_keys[name]) if key not in common]
                rows.append([name, _customer_key(name), query_keys[name], strong])
                keys[name] = rows[-1][1]
            cursor.execute(
                f"""
                INSERT INTO {sale_table} (name, customer_key, keys, strong_keys)
                SELECT r->>0, r->>1, ARRAY(SELECT jsonb_array_elements_text(r->2)),
                       ARRAY(SELECT jsonb_array_elements_text(r->3))
                  FROM jsonb_array_elements(%(rows)s::jsonb) r
                """,
                {"rows": json.dumps(rows)},
            )
            cursor.execute(
                f"""
                SELECT s.name, s.keys, r.name, r.keys
                  FROM {sale_table} s JOIN {registered_table} r ON r.keys && s.strong_keys
                 WHERE s.name = ANY(%(names)s)
                """,
                {"names": sorted(new_sales)},
            )
            _store_matches(cursor, cursor.fetchall())
    return keys


# --- Candidates: the registrations of the matched names -----------------------------------


#: A registration's row as Candidates reads it (the name matched, then the registration).
_CANDIDATE_COLUMNS = """
    m.sale_name, m.score, m.shared_keys, d.id, d.partner_id, d.status, d.customer_name,
    d.decided_at, d.protected_until, d.submitted_at, d.closed_on
"""


def _rank(candidate: Candidate, partner_id: int) -> tuple:
    """Most shared name keys first, then the partner's own registrations, then oldest."""
    claim = candidate.claim
    return (-candidate.shared_keys, claim.partner_id != partner_id, claim.deal_id)


class Candidates:
    """The registrations similar to reported names, for a run.

    A name many partners registered has a hundred similar registrations (seed_scale
    data: 112 on average), and only MAX_CANDIDATES of them are compared. Two queries: the
    MAX_CANDIDATES best of each name for any partner (most shared keys, then oldest; kept
    across the batches of ``reconcile_all``), and the reconciled partners' own similar
    registrations. A group's best are among those two lists (:meth:`for_group`).
    """

    def __init__(self) -> None:
        self.top: dict[str, list[Candidate]] = {}
        self.own: dict[tuple[int, str], list[Candidate]] = defaultdict(list)
        self.oldest: dict[str, list[Claim]] = {}
        self.claims: dict[int, Claim] = {}
        self.tz = timezone.get_current_timezone()

    def load(self, names: Iterable[str], partner_ids: list[int] | None) -> None:
        from deals.models import Deal

        names = set(names)
        missing = sorted(names - self.top.keys())
        match_table, deal_table = CustomerNameMatch._meta.db_table, Deal._meta.db_table
        params = {
            "names": missing,
            "all_names": sorted(names),
            "statuses": list(RIVAL_CLAIM_STATUSES),
            "ids": partner_ids,
            "limit": MAX_CANDIDATES,
        }
        with connection.cursor() as cursor:
            if missing:
                self._load_top(cursor, missing)
            partner_filter = "" if partner_ids is None else "d.partner_id = ANY(%(ids)s) AND"
            cursor.execute(
                f"""
                SELECT {_CANDIDATE_COLUMNS}
                  FROM {deal_table} d
                  JOIN {match_table} m ON m.registered_name = d.customer_name
                 WHERE {partner_filter} d.status = ANY(%(statuses)s)
                       AND m.sale_name = ANY(%(all_names)s)
                """,
                params,
            )
            for row in cursor.fetchall():
                candidate = self._candidate(row)
                self.own[(candidate.claim.partner_id, row[0])].append(candidate)

    def _load_top(self, cursor, names: list[str]) -> None:
        """The MAX_CANDIDATES best of each name for any partner: its matched registered
        names (a few), the oldest MAX_CANDIDATES registrations of each of those (read once
        per registered name through the name index: 9,500 reported names of a partner
        share ~4,800 registered ones), then ranked here."""
        from deals.models import Deal

        cursor.execute(
            f"""
            SELECT sale_name, registered_name, score, shared_keys
              FROM {CustomerNameMatch._meta.db_table} WHERE sale_name = ANY(%(names)s)
            """,
            {"names": names},
        )
        matches = cursor.fetchall()
        registered = sorted({row[1] for row in matches} - self.oldest.keys())
        if registered:
            cursor.execute(
                f"""
                SELECT r.name, d.id, d.partner_id, d.status, d.customer_name, d.decided_at,
                       d.protected_until, d.submitted_at, d.closed_on
                  FROM unnest(%(registered)s::text[]) r(name)
                 CROSS JOIN LATERAL (
                       SELECT * FROM {Deal._meta.db_table} d
                        WHERE d.customer_name = r.name AND d.status = ANY(%(statuses)s)
                        ORDER BY d.id LIMIT %(limit)s) d
                """,
                {
                    "registered": registered,
                    "statuses": list(RIVAL_CLAIM_STATUSES),
                    "limit": MAX_CANDIDATES,
                },
            )
            for name in registered:
                self.oldest[name] = []
            for row in cursor.fetchall():
                self.oldest[row[0]].append(self._claim(row[1:]))
        by_name: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for sale_name, registered_name, score, shared in matches:
            by_name[sale_name].append((registered_name, score, shared))
        # The best MAX_CANDIDATES of (most shared keys, oldest) without a Candidate for
        # every pair: a name meets ~100 registrations (0.25 s of a 3,400-name run).
        for name in names:
            best = heapq.nsmallest(
                MAX_CANDIDATES,
                (
                    (-shared, claim.deal_id, score, claim)
                    for registered_name, score, shared in by_name.get(name, ())
                    for claim in self.oldest[registered_name]
                ),
                key=lambda pair: pair[:2],
            )
            self.top[name] = [Candidate(claim, score, -shared) for shared, _i, score, claim in best]

    def _claim(self, row) -> Claim:
        deal_id, partner_id, status, customer, decided, until, submitted, closed = row
        claim = self.claims.get(deal_id)
        if claim is None:
            claim = self.claims[deal_id] = Claim(
                deal_id,
                partner_id,
                status,
                customer,
                None,
                (decided, until, submitted, closed, self.tz),
            )
        return claim

    def _candidate(self, row) -> Candidate:
        _name, score, shared = row[:3]
        return Candidate(self._claim(row[3:11]), score, shared)

    def load_skus(self, claims: Iterable[Claim]) -> None:
        """The registered products of ``claims`` (of those compared only: most of the
        loaded ones are not among any group's best)."""
        from deals.models import DealLine, Product

        new = {claim.deal_id: claim for claim in claims if claim.skus is None}
        if not new:
            return
        for claim in new.values():
            claim.skus = set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT l.deal_id, p.vendor_sku
                  FROM {DealLine._meta.db_table} l
                  JOIN {Product._meta.db_table} p ON p.id = l.product_id
                 WHERE l.deal_id = ANY(%(ids)s)
                """,
                {"ids": list(new)},
            )
            for deal_id, sku in cursor.fetchall():
                new[deal_id].skus.add(sku)

    def for_group(self, group: SaleGroup) -> list[Candidate]:
        """The group's MAX_CANDIDATES best. A rival among them is among the name's
        MAX_CANDIDATES best for any partner (only the group's own rank higher than
        there), so the two lists hold all of them."""
        partner_id = group.partner_id
        own = self.own.get((partner_id, group.end_customer), [])
        top = self.top.get(group.end_customer, [])
        if not own:
            return top
        seen = {candidate.claim.deal_id for candidate in own}
        merged = own + [c for c in top if c.claim.deal_id not in seen]
        merged.sort(key=lambda candidate: _rank(candidate, partner_id))
        return merged[:MAX_CANDIDATES]


# --- Sales --------------------------------------------------------------------------------


def _load_sales(ids: list[int] | None, names: list[str] | None = None) -> list[SaleGroup]:
    """The partners' lines per end customer (grouped by normalised name), product and day,
    in the reporting currency (0 without a rate), converted by PostgreSQL: in Python the
    conversion took ~2 s of the 747,000 lines of seed_scale's largest partner. ``names``:
    only the lines to these end customers (an incremental run).

    The rate of each (currency, day) is looked up once (734 pairs for the largest
    partner), then joined on equality: joined to the rate ranges by currency with the day
    as a filter, PostgreSQL paired each grouped row with every rate of its currency (20
    million pairs discarded for the largest partner; ~2 % of the statement's CPU, not the
    1.1 s EXPLAIN ANALYZE's per-row timing showed). Both CTEs are materialised: inlined,
    the planner joined the rates after the grouped rows again. A group is named after its
    smallest (name, country), so a run over some of the lines names it as a run over all
    of them does."""
    from reporting.analytics.services import (
        RATES_CTE,
        _partner_filter,
        _rate_join,
        reporting_currency,
    )

    if names == []:
        return []
    lines = sources.sales_lines()
    name_filter = "" if names is None else f"AND l.{lines.end_customer} = ANY(%(names)s)"
    sql = f"""
        WITH {RATES_CTE},
        g AS MATERIALIZED (
                SELECT l.{lines.partner} AS partner, l.{lines.end_customer} AS customer,
                       upper(coalesce(l.{lines.end_customer_country}, '')) AS country,
                       l.{lines.vendor_sku} AS sku, l.{lines.invoice_date} AS day,
                       upper(l.{lines.currency}) AS currency, sum(l.{lines.amount}) AS amount,
                       count(*) AS lines
                  FROM {lines.table} l
                 WHERE coalesce(l.{lines.end_customer}, '') <> ''
                       AND l.{lines.invoice_date} IS NOT NULL
                       {_partner_filter(f"l.{lines.partner}", ids)} {name_filter}
                 GROUP BY 1, 2, 3, 4, 5, 6),
        day_rates AS MATERIALIZED (
                SELECT k.currency, k.day, r.rate
                  FROM (SELECT DISTINCT currency, day FROM g) k
                  {_rate_join("r", "k.currency", "k.day")})
        SELECT g.partner, g.customer, g.country, g.sku, g.day,
               coalesce(g.amount * d.rate, 0), g.lines
          FROM g LEFT JOIN day_rates d ON d.currency = g.currency AND d.day = g.day
         ORDER BY 1, 2
    """
    # Ordered by customer so that each group's line tuples are allocated side by side:
    # in the hash join's order they were scattered over the whole heap, and walking the
    # groups (windows, products, sums) cost the largest partner 3.1 s of worker CPU
    # instead of 1.6 s; the sort costs PostgreSQL ~0.5 s.
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ids": ids, "names": names, "reporting": reporting_currency()})
        rows = cursor.fetchall()
    customer_keys = match_names({row[1] for row in rows})
    groups: dict[tuple[int, str], SaleGroup] = {}
    for partner_id, customer, country, sku, day, amount, count in rows:
        key = customer_keys[customer]
        group = groups.get((partner_id, key))
        if group is None:
            group = groups[(partner_id, key)] = SaleGroup(partner_id, customer, country, key)
        elif customer != group.end_customer or country != group.country:
            if customer < group.end_customer or (
                customer == group.end_customer and country < group.country
            ):
                group.end_customer, group.country = customer, country
        group.lines.append((sku, day, amount, count))
    return list(groups.values())


def _lines_for(group: SaleGroup, claim: Claim):
    if claim.window is None:
        return []
    start, end = claim.window
    return [
        line
        for line in group.lines
        if start <= line[1] <= end and (not claim.skus or line[0] in claim.skus)
    ]


# --- Findings -----------------------------------------------------------------------------


@dataclass(slots=True)
class Finding:
    """A finding as a run computes it (a model instance cost 50 us each to create: 0.3 s
    for a partner's 6,000 findings); written by :func:`_write_findings`."""

    kind: str
    partner_id: int
    deal_id: int | None
    customer_key: str
    end_customer: str
    country: str
    products: list[str]
    first_invoice_date: date | None
    last_invoice_date: date | None
    line_count: int
    amount_reporting: Decimal
    name_score: int | None


def _finding(
    kind,
    partner_id,
    group: SaleGroup | None,
    lines,
    *,
    deal_id=None,
    score=None,
    key: str = "",
) -> Finding:
    lines = lines or []
    return Finding(
        kind=kind,
        partner_id=partner_id,
        deal_id=deal_id,
        customer_key=group.key if group else key,
        end_customer=group.end_customer if group else "",
        country=group.country if group else "",
        products=sorted({line[0] for line in lines}),
        first_invoice_date=min((line[1] for line in lines), default=None),
        last_invoice_date=max((line[1] for line in lines), default=None),
        line_count=sum(line[3] for line in lines),
        amount_reporting=sum((line[2] for line in lines), Decimal(0)),
        name_score=score,
    )


#: Figures a new run updates on a finding that exists already (decisions stay).
_FINDING_FIGURES = (
    "end_customer",
    "country",
    "products",
    "first_invoice_date",
    "last_invoice_date",
    "line_count",
    "amount_reporting",
    "name_score",
    "seen_at",
)
#: A finding is written again only when one of these changed.
_CHANGING_FIGURES = _FINDING_FIGURES[:-1]


def _write_findings(
    findings: list[Finding], ids: list[int] | None, now: datetime, keys: list[str] | None = None
) -> None:
    """Insert the findings, update the figures of those found before whose figures changed
    (status, decision and comment stay), and delete the open findings of the partners
    ``ids`` (None: all) this run did not find; with ``keys`` (an incremental run), only
    those of these customer keys and the won deals without sales. One statement with the
    rows as one JSON parameter: the ORM's bulk upsert spent 1.5 s building and parsing the
    SQL of 3,000 findings; and a run finds mostly what the last one did, so unchanged rows
    are not written again (rewriting 6,000 of them cost 0.3 s). The stale ones are found
    with ``NOT IN`` over the rows (no deal: 0), which PostgreSQL answers from one hash table
    whatever it guesses of the JSON rows' count: a ``NOT EXISTS`` was planned as a join
    comparing every finding of the partner with every row (20 million comparisons, 5 s, for
    6,337 findings; 68 s for the largest partner)."""
    rows = [
        {
            "kind": f.kind,
            "partner_id": f.partner_id,
            "deal_id": f.deal_id,
            "customer_key": f.customer_key,
            "end_customer": f.end_customer,
            "country": f.country,
            "products": f.products,
            "first_invoice_date": f.first_invoice_date and f.first_invoice_date.isoformat(),
            "last_invoice_date": f.last_invoice_date and f.last_invoice_date.isoformat(),
            "line_count": f.line_count,
            "amount_reporting": str(f.amount_reporting),
            "name_score": f.name_score,
        }
        for f in findings
    ]
    table = ReconciliationFinding._meta.db_table
    partner_filter = "" if ids is None else " AND f.partner_id = ANY(%(ids)s)"
    if keys is not None:
        partner_filter += " AND (f.kind = %(won)s OR f.customer_key = ANY(%(keys)s))"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH r AS MATERIALIZED (
                SELECT * FROM jsonb_to_recordset(%(rows)s::jsonb) AS r(
                       kind varchar, partner_id bigint, deal_id bigint, customer_key varchar,
                       end_customer varchar, country varchar, products varchar[],
                       first_invoice_date date, last_invoice_date date, line_count integer,
                       amount_reporting numeric, name_score smallint)
            ), written AS (
                INSERT INTO {table}
                    (kind, partner_id, deal_id, customer_key, end_customer, country, products,
                     first_invoice_date, last_invoice_date, line_count, amount_reporting,
                     name_score, status, comment, detected_at, seen_at)
                SELECT r.kind, r.partner_id, r.deal_id, r.customer_key, r.end_customer,
                       r.country, r.products, r.first_invoice_date, r.last_invoice_date,
                       r.line_count, round(r.amount_reporting, 4), r.name_score,
                       %(open)s, '', %(now)s, %(now)s
                  FROM r
                ON CONFLICT ON CONSTRAINT finding_unique DO UPDATE SET
                {", ".join(f"{name} = EXCLUDED.{name}" for name in _FINDING_FIGURES)}
                WHERE ({", ".join(f"{table}.{name}" for name in _CHANGING_FIGURES)})
                      IS DISTINCT FROM ({", ".join(f"EXCLUDED.{n}" for n in _CHANGING_FIGURES)})
                RETURNING 1
            )
            DELETE FROM {table} f
             WHERE f.status = %(open)s{partner_filter}
               AND (f.kind, f.partner_id, coalesce(f.deal_id, 0), f.customer_key) NOT IN (
                   SELECT r.kind, r.partner_id, coalesce(r.deal_id, 0), r.customer_key FROM r)
            """,
            {
                "rows": json.dumps(rows),
                "open": FindingStatus.OPEN,
                "now": now,
                "ids": ids,
                "keys": keys,
                "won": FindingKind.WON_NO_SALE,
            },
        )


def _won_deals(ids: list[int] | None) -> list[tuple[int, int, str, str | None]]:
    from deals.models import Deal

    partner_filter = "" if ids is None else " AND d.partner_id = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT d.id, d.partner_id, d.customer_name, r.customer_key
              FROM {Deal._meta.db_table} d
              LEFT JOIN {RegisteredCustomerName._meta.db_table} r ON r.name = d.customer_name
             WHERE d.status = 'won'{partner_filter}
            """,
            {"ids": ids},
        )
        return cursor.fetchall()


# --- Runs ---------------------------------------------------------------------------------


def reconcile_sales(
    *, partner_ids: Iterable[int] | None = None, changed_only: bool = False
) -> dict[str, int]:
    """Reconcile reported sales of ``partner_ids`` (None: all, in one transaction) with
    registrations. Findings keep a CM's decision across runs; open ones no longer found
    go away. Returns the number of findings of each kind the run computed.

    ``changed_only`` (after an import): each partner in its own transaction, only the end
    customers whose lines changed since its last run (:class:`ReconciliationChange`),
    with the same findings as a full run; a partner never reconciled in full is
    reconciled in full."""
    from reporting.analytics.services import _ids

    ids = _ids(partner_ids)
    if ids == []:
        return {}
    if not changed_only or ids is None:
        return _reconcile(ids, Candidates())
    candidates = Candidates()
    counts: dict[str, int] = defaultdict(int)
    for pk in ids:
        for kind, count in _reconcile_changes(pk, candidates).items():
            counts[kind] += count
    return dict(counts)


def reconcile_all() -> dict[str, int]:
    """Reconcile every partner, a batch of partners per transaction; the candidates of a
    name are loaded once for every batch."""
    from partners.models import Partner

    ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
    candidates = Candidates()
    counts: dict[str, int] = defaultdict(int)
    for start in range(0, len(ids), RECONCILE_BATCH):
        for kind, count in _reconcile(ids[start : start + RECONCILE_BATCH], candidates).items():
            counts[kind] += count
    return dict(counts)


def _lock_partners(cursor, ids: list[int] | None) -> None:
    """One run of a partner at a time (in id order: two runs never wait for each other
    crosswise). Every partner's run (None) locks nothing: it is the nightly one."""
    if ids is not None:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, p::int) FROM unnest(%s::bigint[]) p ORDER BY p",
            [_PARTNER_LOCK_KEY, ids],
        )


def _take_changes(cursor, ids: list[int] | None) -> list[tuple[date | None, str | None]]:
    """Forget the noted changes of ``ids`` (None: all): this run covers them. Lines
    committed after this statement keep their notes for the run their import queued."""
    partner_filter = "" if ids is None else " WHERE partner_id = ANY(%(ids)s)"
    cursor.execute(
        f"DELETE FROM {ReconciliationChange._meta.db_table}{partner_filter}"
        " RETURNING month, end_customer",
        {"ids": ids},
    )
    return cursor.fetchall()


def _changed_keys(cursor, pk: int, changes) -> set[str]:
    """The customer keys a partner's noted changes touch: of the end customers noted
    (lines removed or updated) and of those with lines in the noted months (added)."""
    lines = sources.sales_lines()
    names = {name for _month, name in changes if name}
    months = sorted({month for month, _name in changes if month})
    if months and lines is not None:
        cursor.execute(
            f"""
            SELECT DISTINCT l.{lines.end_customer}
              FROM unnest(%(months)s::date[]) m(start)
              JOIN {lines.table} l ON l.{lines.partner} = %(pk)s
                   AND l.{lines.invoice_date} >= m.start
                   AND l.{lines.invoice_date} < (m.start + interval '1 month')::date
             WHERE coalesce(l.{lines.end_customer}, '') <> ''
            """,
            {"months": months, "pk": pk},
        )
        names.update(row[0] for row in cursor.fetchall())
    # Always: registered names seen for the first time get their matches here, before
    # the registrations changed since the last run are read.
    return set(match_names(names).values())


#: Deal history entries that change nothing reconciliation compares.
_IGNORED_DEAL_EVENTS = ("reminder_sent", "conflicts_checked")


def _deal_snapshot(cursor) -> tuple[int, int]:
    """Where the deal history entries a run reads start and end.

    The start: the oldest transaction still running, cluster-wide (every transaction below
    it has ended, so its entries, if it committed, are visible from now on). Taken before
    the entries are read: a transaction ending between the read and this would be below
    the next run's start and never read. The end: one past the last transaction that had
    ended, or past the run's own (a caller's transaction may have recorded entries); the
    transactions at or above it had not ended and are the next run's."""
    cursor.execute(
        """
        SELECT pg_snapshot_xmin(s)::text::bigint,
               greatest(pg_snapshot_xmax(s)::text::bigint,
                        pg_current_xact_id_if_assigned()::text::bigint + 1)
          FROM pg_current_snapshot() s
        """
    )
    return cursor.fetchone()


def _changed_deals(cursor, since: int, before: int) -> list[int]:
    """The registrations with a history entry of a transaction from ``since`` (the last
    run's start: every entry that run could not see) to ``before`` (this run's end).
    Entries of transactions that ended after the last run began may be read again
    (harmless). Not bounded by this run's start: a registration changed just before the
    run counts now, even while a long transaction elsewhere holds the oldest running one
    back; bounded at all so that entries restored from another cluster, whose ids may be
    ahead of this one's, are not read again by every run."""
    from deals.models import DealEvent

    cursor.execute(
        f"""
        SELECT DISTINCT deal_id FROM {DealEvent._meta.db_table}
         WHERE xact_id >= %(since)s AND xact_id < %(before)s AND kind <> ALL(%(ignored)s)
        """,
        {"since": since, "before": before, "ignored": list(_IGNORED_DEAL_EVENTS)},
    )
    return [row[0] for row in cursor.fetchall()]


def _deal_changed_keys(cursor, pk: int, deal_ids: list[int]) -> set[str]:
    """The customer keys changed registrations touch: the reported names similar to their
    names, and the partner's findings about them (a registration renamed leaves its old
    name's findings)."""
    from deals.models import Deal

    cursor.execute(
        f"""
        SELECT s.customer_key
          FROM {Deal._meta.db_table} d
          JOIN {CustomerNameMatch._meta.db_table} m ON m.registered_name = d.customer_name
          JOIN {SaleCustomerName._meta.db_table} s ON s.name = m.sale_name
         WHERE d.id = ANY(%(deals)s)
        UNION
        SELECT f.customer_key
          FROM {ReconciliationFinding._meta.db_table} f
         WHERE f.partner_id = %(pk)s AND f.deal_id = ANY(%(deals)s)
        """,
        {"deals": deal_ids, "pk": pk},
    )
    return {row[0] for row in cursor.fetchall()}


def _group_findings(cursor, pk: int) -> int:
    """The partner's findings about its sales (at least one a customer group), from the
    counts the findings' triggers keep."""
    from reporting.analytics.models import FindingCount

    cursor.execute(
        f"SELECT coalesce(sum(n), 0) FROM {FindingCount._meta.db_table}"
        " WHERE partner_id = %s AND kind <> %s",
        [pk, FindingKind.WON_NO_SALE],
    )
    return cursor.fetchone()[0]


def _won_deal_keys(cursor, pk: int) -> set[str]:
    """The customer keys of the reported names similar to the partner's won
    registrations: the groups that may match one of them. An incremental run computes
    these groups too, so it knows which won deals have sales without every group."""
    from deals.models import Deal

    cursor.execute(
        f"""
        SELECT DISTINCT s.customer_key
          FROM {Deal._meta.db_table} d
          JOIN {CustomerNameMatch._meta.db_table} m ON m.registered_name = d.customer_name
          JOIN {SaleCustomerName._meta.db_table} s ON s.name = m.sale_name
         WHERE d.partner_id = %s AND d.status = 'won'
        """,
        [pk],
    )
    return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def _reconcile_changes(pk: int, candidates: Candidates) -> dict[str, int]:
    """A partner's end customers whose lines changed since its last run, reconciled as a
    full run would (with every line of those customers) and written in one transaction:
    a crash leaves the notes and the findings as they were."""
    with connection.cursor() as cursor:
        _lock_partners(cursor, [pk])
        reconciled = ReconciledPartner.objects.filter(partner_id=pk).first()
        if reconciled is None:
            return _reconcile([pk], candidates)
        deal_xmin, deal_end = _deal_snapshot(cursor)
        if reconciled.deal_xmin > deal_end:
            # Kept by another cluster (a logical restore): its transaction ids say nothing
            # about this one's.
            return _reconcile([pk], candidates)
        changes = _take_changes(cursor, [pk])
        changed_deals = _changed_deals(cursor, reconciled.deal_xmin, deal_end)
        if not changes and not changed_deals:
            # Nothing to redo: the findings are as current as this run would make them.
            _mark_current(cursor, [pk], timezone.now())
            return {}
        keys = _changed_keys(cursor, pk, changes)
        if changed_deals:
            keys |= _deal_changed_keys(cursor, pk, changed_deals)
        if deal_xmin > reconciled.deal_xmin:
            ReconciledPartner.objects.filter(partner_id=pk).update(deal_xmin=deal_xmin)
        keys |= _won_deal_keys(cursor, pk)
        groups = _group_findings(cursor, pk)
        if groups >= FULL_RUN_MIN_GROUPS and len(keys) > FULL_RUN_SHARE * groups:
            return _reconcile([pk], candidates)
        cursor.execute(
            f"SELECT name FROM {SaleCustomerName._meta.db_table}"
            " WHERE customer_key = ANY(%(keys)s)",
            {"keys": sorted(keys)},
        )
        names = sorted(row[0] for row in cursor.fetchall())
    return _reconcile([pk], candidates, keys=sorted(keys), names=names)


def _without_cyclic_gc(run):
    """Run with Python's cyclic garbage collector paused. A run holds up to ~750,000
    small tuples (a large partner's grouped lines), none in a reference cycle, and the
    collector, triggered by the run's allocations, traversed them again and again: the
    largest partner's run took 1.7-1.95 s of worker CPU with it, 1.4-1.5 s without."""

    @functools.wraps(run)
    def paused(*args, **kwargs):
        collecting = gc.isenabled()
        gc.disable()
        try:
            return run(*args, **kwargs)
        finally:
            if collecting:
                gc.enable()

    return paused


@_without_cyclic_gc
@transaction.atomic
def _reconcile(
    ids: list[int] | None,
    candidates: Candidates,
    *,
    keys: list[str] | None = None,
    names: list[str] | None = None,
) -> dict[str, int]:
    """Reconcile the partners ``ids`` (None: all) in full, or (``keys``, one partner) the
    groups of those customer keys, ``names`` being every reported name with one of them,
    and every won deal of the partner."""
    now = timezone.now()
    if keys is None:
        with connection.cursor() as cursor:
            _lock_partners(cursor, ids)
            _take_changes(cursor, ids)
            _mark_reconciled(cursor, ids, now)
    groups = _load_sales(ids, names)
    candidates.load((group.end_customer for group in groups), ids)
    findings: list[Finding] = []
    matched_deals: set[int] = set()
    compared = [candidates.for_group(group) for group in groups]
    candidates.load_skus(candidate.claim for best in compared for candidate in best)
    for group, best in zip(groups, compared, strict=True):
        own_match = conflict = False
        for candidate in best:
            claim = candidate.claim
            lines = _lines_for(group, claim)
            if not lines:
                continue
            if claim.partner_id == group.partner_id and claim.status in OWN_CLAIM_STATUSES:
                own_match = True
                matched_deals.add(claim.deal_id)
                kind = FindingKind.MATCH
            elif claim.partner_id != group.partner_id:
                conflict = True
                kind = FindingKind.CONFLICT
            else:
                continue
            findings.append(
                _finding(
                    kind,
                    group.partner_id,
                    group,
                    lines,
                    deal_id=claim.deal_id,
                    score=candidate.score,
                )
            )
        if not own_match and not conflict:
            findings.append(
                _finding(FindingKind.UNREGISTERED, group.partner_id, group, group.lines)
            )
    for deal_id, partner_id, name, key in _won_deals(ids):
        if deal_id not in matched_deals:
            key = key or _customer_key(name)
            finding = _finding(
                FindingKind.WON_NO_SALE, partner_id, None, [], deal_id=deal_id, key=key
            )
            finding.end_customer = name
            findings.append(finding)
    _write_findings(findings, ids, now, keys)
    if keys is not None:
        with connection.cursor() as cursor:
            _mark_current(cursor, ids, now)
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.kind] += 1
    return dict(counts)


def _mark_reconciled(cursor, ids: list[int] | None, now: datetime) -> None:
    """The partners' findings are now a full run's, with the registrations as of the
    run's start: later runs may reconcile what changed since (:func:`_deal_snapshot`)."""
    from partners.models import Partner

    partner_filter = "" if ids is None else " WHERE id = ANY(%(ids)s)"
    cursor.execute(
        f"""
        INSERT INTO {ReconciledPartner._meta.db_table}
               (partner_id, reconciled_at, findings_at, deal_xmin)
        SELECT id, %(now)s, %(now)s, %(xmin)s FROM {Partner._meta.db_table}{partner_filter}
        ON CONFLICT (partner_id) DO UPDATE
           SET reconciled_at = EXCLUDED.reconciled_at, findings_at = EXCLUDED.findings_at,
               deal_xmin = EXCLUDED.deal_xmin
        """,
        {"ids": ids, "now": now, "xmin": _deal_snapshot(cursor)[0]},
    )


def _mark_current(cursor, ids: list[int], now: datetime) -> None:
    """An incremental run brought the partners' findings up to date (``findings_at``,
    what the pages show as "findings as of"); their last full run stays as it was."""
    cursor.execute(
        f"UPDATE {ReconciledPartner._meta.db_table} SET findings_at = %(now)s"
        " WHERE partner_id = ANY(%(ids)s)",
        {"ids": ids, "now": now},
    )


# --- Decisions ----------------------------------------------------------------------------


@transaction.atomic
def finding_decide(*, user, finding_id: int, decision: str, comment: str = ""):
    """A CM confirms or dismisses a finding in their scope (404 outside it)."""
    from reporting.analytics.selectors import get_finding_for

    if not (user.is_authenticated and user.is_vendor_staff):
        raise PermissionDenied
    if decision not in (FindingStatus.CONFIRMED, FindingStatus.DISMISSED, FindingStatus.OPEN):
        raise ValidationError(_("Choose confirm or dismiss."))
    finding = get_finding_for(user, finding_id)
    finding = ReconciliationFinding.objects.select_for_update().get(pk=finding.pk)
    finding.status = decision
    finding.comment = comment.strip()
    reopened = decision == FindingStatus.OPEN
    finding.decided_by = None if reopened else user
    finding.decided_at = None if reopened else timezone.now()
    finding.save(update_fields=["status", "comment", "decided_by", "decided_at"])
    return finding
