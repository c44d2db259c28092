"""The tenant's customer registry: every end-customer spelling of sales lines and deal
registrations linked to one canonical customer.

A spelling (name + country) is decided once and remembered (:class:`CustomerName`), so
lines and registrations link through their text and a CM's decision is learned for
every later line spelt the same way. A new spelling is compared with the customers
whose blocking keys it shares (GIN index, at most :data:`MAX_CANDIDATES`):
`reporting.quality.customers.decide` links it, sends it to review, or makes it a new
customer.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from reporting.models import SalesLine, lines_of_upload
from reporting.quality import customers as matching
from reporting.quality.models import Customer, CustomerName, LinkStatus

MAX_CANDIDATES = 50
#: Spellings decided per call (a task links the rest in its next run).
BATCH = 5_000


def _unseen(limit: int, upload_id: int | None) -> list[tuple[str, str, str]]:
    """(name, country, domain) spellings not yet decided: of one upload's lines, or of
    every line and deal registration."""
    lines, names = SalesLine._meta.db_table, CustomerName._meta.db_table
    from deals.models import Deal

    deals = Deal._meta.db_table
    only_upload = f"AND {lines_of_upload('l', '%(upload)s')}" if upload_id else ""
    with_deals = (
        ""
        if upload_id
        else f"""UNION ALL
                SELECT DISTINCT customer_name, upper(left(customer_country, 2)),
                       customer_domain
                  FROM {deals} WHERE customer_name <> ''"""
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT name, country, max(domain) FROM (
                SELECT DISTINCT end_customer AS name,
                       upper(left(coalesce(end_customer_country, ''), 2)) AS country,
                       '' AS domain
                  FROM {lines} l WHERE end_customer <> '' {only_upload}
                {with_deals}
            ) spelt
             WHERE NOT EXISTS (
                SELECT 1 FROM {names} n WHERE n.name = spelt.name AND n.country = spelt.country)
             GROUP BY name, country ORDER BY name, country LIMIT %(limit)s
            """,
            {"limit": limit, "upload": upload_id},
        )
        return cursor.fetchall()


def _candidates(spelling: matching.Spelling) -> list[Customer]:
    return list(
        Customer.objects.filter(keys__overlap=matching.query_keys(spelling.name)).order_by("pk")[
            :MAX_CANDIDATES
        ]
    )


def _lock_registry() -> None:
    """One linking at a time in a tenant, until this transaction ends.

    Workers run several tasks at once: two partners' reports naming the same new customer
    would both find the spelling unseen, and the second insert would break the one-row-a-
    spelling rule and fail its task (the upload never measured, the scores not rebuilt).
    Two alike new names ("Lakeside Dental", "Lakeside Dental Inc") would each become a
    customer, neither seeing the other's. Waiting for the first linking to commit makes
    the second see its spellings and customers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            [f"quality.registry:{connection.schema_name}"],
        )


@transaction.atomic
def link_pending(*, upload_id: int | None = None, limit: int = BATCH) -> dict[str, int]:
    """Decide every spelling not seen before (of one upload, or everywhere); return how
    many went which way."""
    _lock_registry()
    counts = {"auto": 0, "review": 0, "new": 0}
    for name, country, domain in _unseen(limit, upload_id):
        spelling = matching.Spelling(name, country, domain or "")
        candidates = _candidates(spelling)
        index, decision, score = matching.best(
            spelling,
            [matching.Spelling(c.name, c.country, c.domain) for c in candidates],
        )
        counts[decision] += 1
        if decision == "auto":
            CustomerName.objects.create(
                name=name,
                country=country,
                key=matching.key(name),
                customer=candidates[index],
                score=score,
                status=LinkStatus.AUTO,
            )
        elif decision == "review":
            CustomerName.objects.create(
                name=name,
                country=country,
                key=matching.key(name),
                candidate=candidates[index],
                score=score,
                status=LinkStatus.REVIEW,
            )
        else:
            customer = _new_customer(name, country, domain or "")
            CustomerName.objects.create(
                name=name,
                country=country,
                key=customer.key,
                customer=customer,
                score=100,
                status=LinkStatus.NEW,
            )
    return counts


def _new_customer(name: str, country: str, domain: str) -> Customer:
    return Customer.objects.create(
        name=name.strip()[:255],
        country=country,
        domain=matching.domain_key(domain) if domain else "",
        key=matching.key(name)[:255],
        keys=matching.blocking_keys(name),
    )


@transaction.atomic
def review_decide(*, user, name_id: int, same: bool) -> CustomerName:
    """A CM's decision on a spelling in review: the same customer as the candidate (its
    keys learn the spelling) or a new customer."""
    if not user.is_vendor_staff:
        raise PermissionDenied
    spelling = CustomerName.objects.select_for_update().filter(pk=name_id).first()
    if spelling is None:
        from django.http import Http404

        raise Http404
    if spelling.status != LinkStatus.REVIEW:
        raise ValidationError(_("Someone already decided this customer."))
    if same and spelling.candidate_id:
        customer = Customer.objects.select_for_update().get(pk=spelling.candidate_id)
        customer.keys = sorted(set(customer.keys) | set(matching.blocking_keys(spelling.name)))
        customer.save(update_fields=["keys"])
    else:
        customer = _new_customer(spelling.name, spelling.country, "")
    spelling.customer = customer
    spelling.status = LinkStatus.CONFIRMED
    spelling.decided_by = user
    spelling.save(update_fields=["customer", "status", "decided_by"])
    from reporting.quality.tasks import remeasure_after_review

    remeasure_after_review.delay_on_commit(spelling.name)
    return spelling
