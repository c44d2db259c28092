"""Independent money check: every pipeline, win and sales figure on the dashboards equals a
computation from the raw inputs of this test.

Deals are registered through the deal services by partners quoting in USD, EUR, VND and
JPY (the app prices them); sales lines are written in those currencies. The expected
figures are computed here from what the test chose (catalogue prices in USD, quantities,
final amounts typed by partners, sales amounts) and the rate table below, with rounding
written out here too: nothing is read back from the deals or summaries the app stored.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from deals import services as deals
from deals.models import Product
from partners.memberships import partner_user_create
from partners.models import Partner
from prm.accounts.models import Role
from reporting.analytics import services
from reporting.analytics.models import ExchangeRate

TODAY = timezone.localdate()
#: The day the euro moved, so sales on either side of it convert differently.
EURO_MOVED = TODAY.replace(day=1) - timedelta(days=45)

#: Value of one unit in USD (acme's reporting currency), from a day. Written for this test.
RATES: dict[str, list[tuple[date, Decimal]]] = {
    "USD": [(date(2000, 1, 1), Decimal(1))],
    "EUR": [(date(2020, 1, 1), Decimal("1.10")), (EURO_MOVED, Decimal("1.05"))],
    "VND": [(date(2020, 1, 1), Decimal("0.0000395"))],
    "JPY": [(date(2020, 1, 1), Decimal("0.0067"))],
}
#: Whole units for dong and yen, cents otherwise.
PLACES = {"VND": 0, "JPY": 0}

CATALOGUE = {"MC-SW": "1290.00", "MC-AP": "489.00", "MC-FW": "1850.00", "MC-SFP": "59.90"}
OUTCOMES = ("draft", "submitted", "approved", "won", "lost", "rejected")


def customer_names(rng: random.Random):
    """Made-up company names sharing no word, so no registration conflicts with another."""
    seen: set[str] = set()
    while True:
        words = [
            "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
            for _ in range(2)
        ]
        if seen.isdisjoint(words):
            seen.update(words)
            yield " ".join(word.title() for word in words)


def rate(currency: str, day: date) -> Decimal:
    return [value for valid_from, value in RATES[currency] if valid_from <= day][-1]


def rounded(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-PLACES.get(currency, 2)), ROUND_HALF_UP)


def in_local(usd: Decimal, currency: str, day: date) -> Decimal:
    return rounded(usd / rate(currency, day), currency)


@dataclass
class RawDeal:
    partner_id: int
    currency: str
    lines: list[tuple[Decimal, int]]  # USD list price, quantity
    outcome: str
    final_amount: Decimal | None = None  # typed by the partner, in its currency

    def value(self) -> Decimal:
        return sum(
            (in_local(price, self.currency, TODAY) * qty for price, qty in self.lines), Decimal(0)
        )


@dataclass
class World:
    deals: list[RawDeal] = field(default_factory=list)
    sales: list = field(default_factory=list)
    partners: dict[str, Partner] = field(default_factory=dict)


def _partner_with_rep(slug, currency, manager):
    partner = Partner.objects.create(
        name=f"{slug.title()} Money", slug=slug, country="VN", currency=currency
    )
    Partner.objects.filter(pk=partner.pk).update(channel_manager=manager)
    rep = partner_user_create(
        email=f"rep@{slug}.test",
        password="money-check-2026",
        role=Role.PARTNER_REP,
        full_name=f"Rep of {slug}",
        partner=partner,
    )
    return partner, rep


def _register(world, rng, names, products, partner, rep, decider, outcome):
    chosen = rng.sample(sorted(products), rng.choice((1, 2, 3)))
    quantities = {sku: rng.choice((1, 2, 6, 12, 40)) for sku in chosen}
    raw = RawDeal(
        partner.pk,
        partner.currency,
        [(Decimal(CATALOGUE[sku]), qty) for sku, qty in quantities.items()],
        outcome,
    )
    deal = deals.deal_create(
        user=rep,
        data=deals.DealInput(customer_name=next(names)),
        lines=[
            deals.LineInput(product_id=products[sku].pk, quantity=qty)
            for sku, qty in quantities.items()
        ],
    )
    if outcome != "draft":
        deal = deals.deal_submit(user=rep, deal_id=deal.pk, expected_version=deal.version)
    if outcome in ("approved", "won", "lost"):
        deal = deals.deal_approve(user=decider, deal_id=deal.pk, expected_version=deal.version)
    if outcome == "rejected":
        deals.deal_reject(user=decider, deal_id=deal.pk, expected_version=deal.version, reason="No")
    if outcome == "won":
        # What the partner invoiced, in its own currency: near the value, its own figure.
        raw.final_amount = rounded(
            raw.value() * Decimal(rng.choice(("0.9", "1", "1.07"))), raw.currency
        )
        deals.deal_close_won(
            user=rep,
            deal_id=deal.pk,
            expected_version=deal.version,
            final_amount=raw.final_amount,
            closed_on=TODAY,
        )
    if outcome == "lost":
        deals.deal_close_lost(
            user=rep, deal_id=deal.pk, expected_version=deal.version, reason="Budget cut"
        )
    world.deals.append(raw)


@pytest.fixture
def world(cast, acme, sales) -> World:
    for currency, rows in RATES.items():
        for valid_from, value in rows if currency != "USD" else ():
            ExchangeRate.objects.create(
                currency=currency, quote_currency="USD", rate=value, valid_from=valid_from
            )
    products = {
        sku: Product.objects.create(vendor_sku=sku, name=sku, list_price=Decimal(price))
        for sku, price in CATALOGUE.items()
    }
    world = World()
    saigon, saigon_rep = _partner_with_rep("saigonmc", "VND", cast.cm_a)
    tokyo, tokyo_rep = _partner_with_rep("tokyomc", "JPY", cast.cm_b)
    cast_partners = {"ardent": cast.partner_a, "bergmann": cast.partner_b}
    world.partners = cast_partners | {"saigonmc": saigon, "tokyomc": tokyo}
    reps = {
        cast.partner_a.pk: cast.rep_a1,
        cast.partner_b.pk: cast.rep_b,
        saigon.pk: saigon_rep,
        tokyo.pk: tokyo_rep,
    }
    rng = random.Random(18)
    names = customer_names(rng)
    for partner in world.partners.values():
        partner.refresh_from_db()
        for outcome in OUTCOMES + tuple(rng.choice(OUTCOMES) for _ in range(3)):
            rep = reps[partner.pk]
            _register(world, rng, names, products, partner, rep, cast.vendor_admin, outcome)
    # Sales reported in each partner's currency, on both sides of the euro's move.
    first = (TODAY.replace(day=1) - timedelta(days=150)).replace(day=1)
    for partner in world.partners.values():
        for _ in range(8):
            day = first + timedelta(days=rng.randrange((TODAY - first).days + 1))
            quantity = rng.choice((1, 3, 10, -1))
            usd = Decimal(rng.choice(tuple(CATALOGUE.values()))) * quantity
            amount = rounded(usd / rate(partner.currency, day), partner.currency)
            world.sales.append(
                sales.add(
                    partner,
                    day,
                    rng.choice(tuple(CATALOGUE)),
                    quantity,
                    amount,
                    currency=partner.currency,
                )
            )
        # Before the period: must not count.
        sales.add(partner, first - timedelta(days=3), "MC-SW", 1, "1000", currency=partner.currency)
    services.refresh_sales_summaries()
    services.refresh_deal_summaries()
    return world


PERIOD = {
    "start": (TODAY.replace(day=1) - timedelta(days=150)).strftime("%Y-%m"),
    "end": TODAY.strftime("%Y-%m"),
}


def expected(world: World, partner_ids: set[int]) -> dict[str, Decimal]:
    chosen = [d for d in world.deals if d.partner_id in partner_ids and d.outcome != "draft"]
    first = date.fromisoformat(PERIOD["start"] + "-01")
    return {
        "open": sum(
            (
                d.value() * rate(d.currency, TODAY)
                for d in chosen
                if d.outcome in ("submitted", "approved")
            ),
            Decimal(0),
        ),
        "won": sum(
            (d.final_amount * rate(d.currency, TODAY) for d in chosen if d.outcome == "won"),
            Decimal(0),
        ),
        "sales": sum(
            (
                line.amount * rate(line.currency, line.invoice_date)
                for line in world.sales
                if line.partner_id in partner_ids and line.invoice_date >= first
            ),
            Decimal(0),
        ),
    }


def shown(context) -> dict[str, Decimal]:
    return {
        "open": context["pipeline"].open_value,
        "won": context["pipeline"].won_value,
        "sales": context["totals"].current,
    }


def cents(figures: dict[str, Decimal]) -> dict[str, Decimal]:
    """As the dashboards show them: to the cent."""
    return {key: rounded(Decimal(value), "USD") for key, value in figures.items()}


def test_it_shows_the_vendor_every_figure_as_computed_from_the_raw_inputs(cast, client_for, world):
    response = client_for(cast.vendor_admin).get("/analytics/", PERIOD)

    want = cents(expected(world, {p.pk for p in world.partners.values()}))
    assert cents(shown(response.context)) == want
    page = response.content.decode()
    assert all(f"{value:,.2f}" in page for value in want.values())
    assert want["open"] > 0 and want["won"] > 0 and want["sales"] > 0


@pytest.mark.parametrize("manager", ["cm_a", "cm_b"])
def test_it_shows_each_cm_the_figures_of_their_partners(cast, client_for, world, manager):
    user = getattr(cast, manager)
    mine = {p.pk for p in world.partners.values() if p.channel_manager_id == user.pk}

    response = client_for(user).get("/analytics/", PERIOD)

    assert len(mine) == 2
    assert cents(shown(response.context)) == cents(expected(world, mine))


@pytest.mark.parametrize("slug", ["ardent", "bergmann", "saigonmc", "tokyomc"])
def test_it_shows_each_partners_scorecard_as_computed_from_the_raw_inputs(
    cast, client_for, world, slug
):
    partner = world.partners[slug]

    response = client_for(cast.vendor_admin).get(f"/analytics/partners/{partner.pk}/", PERIOD)

    assert cents(shown(response.context)) == cents(expected(world, {partner.pk}))


def test_it_shows_a_partner_admin_their_own_figures(cast, client_for, world):
    response = client_for(cast.partner_b_admin).get("/analytics/my/", PERIOD)

    assert cents(shown(response.context)) == cents(expected(world, {cast.partner_b.pk}))
