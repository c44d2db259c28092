"""Finding conflict candidates in the database and scoring them (see deals.matching).

The candidate query narrows the open registrations of other partners and the vendor's
direct accounts to a few hundred rows through two indexes (btree on the domain key, GIN on
the name keys); :func:`deals.matching.score_conflict` judges each candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from deals import matching
from deals.models import OPEN_STATUSES, Deal, DealStatus, DirectAccount

# Rank candidates by how many name keys they share with the query; the array intersection
# runs only on rows the indexes returned.
_SHARED_KEYS_SQL = (
    "cardinality(ARRAY(SELECT unnest({table}.customer_name_keys) "
    "INTERSECT SELECT unnest(%s::varchar[])))"
)


_SCORED_FIELDS = (
    "id",
    "customer_name",
    "customer_domain_key",
    "customer_country",
    "customer_name_forms",
    "submitted_at",
    "created_at",
    "product_ids",
)


@dataclass(frozen=True)
class FoundConflict:
    """A scored candidate: another partner's deal or a direct account (by id)."""

    conflict: matching.Conflict
    other_deal_id: int | None = None
    other_deal_has_products: bool = False
    direct_account_id: int | None = None


def registration_of(deal: Deal, product_ids) -> matching.Registration:
    registered = deal.submitted_at or deal.created_at or timezone.now()
    return matching.Registration(
        company_name=deal.customer_name,
        domain=deal.customer_domain_key,
        country=deal.customer_country,
        products=frozenset(product_ids),
        registered_on=timezone.localdate(registered),
        name_forms=frozenset(deal.customer_name_forms),
    )


def _registration_of_row(row: tuple) -> matching.Registration:
    _pk, name, domain_key, country, forms, submitted_at, created_at, product_ids = row
    return matching.Registration(
        company_name=name,
        domain=domain_key,
        country=country,
        products=frozenset(product_ids),
        # The UTC date: a day's difference at midnight does not change the score.
        registered_on=(submitted_at or created_at).date(),
        name_forms=frozenset(forms),
    )


def _identity_filter(domain_key: str, query_keys: list[str]) -> Q:
    match = Q(customer_name_keys__overlap=query_keys)
    if domain_key:
        match |= Q(customer_domain_key=domain_key)
    return match


def candidate_deals(deal: Deal, *, limit: int = matching.MAX_CANDIDATES):
    """Open registrations of *other* partners that could be the same customer, as tuples of
    ``_SCORED_FIELDS`` (candidates are many: model instances would cost more than the
    query)."""
    query_keys = matching.name_query_keys(deal.customer_name)
    window_start = timezone.now() - timedelta(days=matching.CANDIDATE_WINDOW_DAYS)
    table = Deal._meta.db_table
    return (
        Deal.objects.filter(status__in=[status.value for status in OPEN_STATUSES])
        .exclude(partner_id=deal.partner_id)  # own deals, this one included, never conflict
        .filter(Q(status=DealStatus.APPROVED) | Q(submitted_at__gte=window_start))
        .filter(_identity_filter(deal.customer_domain_key, query_keys))
        .annotate(
            same_domain=(
                Case(
                    When(customer_domain_key=deal.customer_domain_key, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
                if deal.customer_domain_key
                else Value(0, output_field=IntegerField())
            ),
            same_name=RawSQL(
                f"{table}.customer_name_keys && %s::varchar[]",
                (matching.exact_name_keys(deal.customer_name),),
            ),
            shared_keys=RawSQL(_SHARED_KEYS_SQL.format(table=table), (query_keys,)),
        )
        .order_by("-same_domain", "-same_name", "-shared_keys", "-submitted_at")
        .values_list(*_SCORED_FIELDS)[:limit]
    )


def candidate_accounts(deal: Deal, *, limit: int = matching.MAX_CANDIDATES):
    """Direct accounts of the vendor that could be the same customer, as dicts."""
    query_keys = matching.name_query_keys(deal.customer_name)
    table = DirectAccount._meta.db_table
    return (
        DirectAccount.objects.filter(_identity_filter(deal.customer_domain_key, query_keys))
        .annotate(shared_keys=RawSQL(_SHARED_KEYS_SQL.format(table=table), (query_keys,)))
        .order_by("-shared_keys", "pk")
        .values(
            "id", "customer_name", "customer_domain_key", "customer_country", "customer_name_forms"
        )[:limit]
    )


def find_conflicts(deal: Deal, product_ids) -> list[FoundConflict]:
    """Every candidate scoring at least REPORT_THRESHOLD, highest first."""
    new = registration_of(deal, product_ids)
    found: list[FoundConflict] = []
    for row in candidate_deals(deal):
        conflict = matching.score_conflict(new, _registration_of_row(row))
        if conflict is not None:
            found.append(
                FoundConflict(
                    conflict=conflict, other_deal_id=row[0], other_deal_has_products=bool(row[-1])
                )
            )
    for row in candidate_accounts(deal):
        existing = matching.Registration(
            company_name=row["customer_name"],
            domain=row["customer_domain_key"],
            country=row["customer_country"],
            name_forms=frozenset(row["customer_name_forms"]),
        )
        conflict = matching.score_conflict(new, existing)
        if conflict is not None:
            found.append(FoundConflict(conflict=conflict, direct_account_id=row["id"]))
    found.sort(key=lambda item: item.conflict.score, reverse=True)
    return found
