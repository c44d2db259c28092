"""Partners spread over the channel managers, and their users (every partner an admin,
reps skewed towards big partners), each with one Membership."""

from __future__ import annotations

from datetime import date, timedelta

from prm.seeding.scale.pgcopy import copy_text, encode, model_template, reserve_ids
from prm.seeding.scale.spec import COUNTRIES, CURRENCY_OF, PartnerRow, TenantSpec, person


def seed_partners(cursor, spec: TenantSpec, cm_ids: list[int], rng) -> list[PartnerRow]:
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


def seed_partner_users(
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
