"""The catalogue, and deal registrations with their lines and history in consistent
statuses and dates, registered by the partner's own users."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate

from prm.seeding.scale.pgcopy import copy_text, encode, model_template, reserve_ids, text
from prm.seeding.scale.rates import local_amount, rate_on
from prm.seeding.scale.spec import PRODUCT_FAMILIES, REGISTERED, Seeded, TenantSpec, person


def seed_products(cursor, spec: TenantSpec, rng: random.Random) -> list[tuple[int, str, Decimal]]:
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


# Deal outcomes and their share of registrations.
DEAL_STATUSES = (("draft", 4), ("submitted", 8), ("more_information", 2), ("approved", 16),
                 ("rejected", 12), ("won", 28), ("lost", 18), ("expired", 12))  # fmt: skip
LOST_REASONS = ("Price", "Customer chose a competitor", "Project cancelled", "No budget")
REJECT_REASONS = ("Customer is a direct account", "Registered by another partner first",
                  "Not enough information")  # fmt: skip


def seed_deals(
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
            rate = rate_on(rates, partner.currency, submitted.date())
            products = rng.sample(seeded.products, rng.choice((1, 1, 2, 2, 3)))
            value = Decimal(0)
            for product_id, _sku, price in products:
                quantity = rng.choice((1, 2, 5, 10, 20, 50))
                unit = local_amount(price, partner.currency, rate)
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
