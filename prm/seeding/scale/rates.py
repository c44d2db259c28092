"""Exchange rates: a monthly rate per currency drifting a little, written for the vendor;
deals and sales lines are priced with them."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date
from decimal import Decimal

from prm.seeding.scale.pgcopy import copy_text, model_template
from prm.seeding.scale.spec import RATES, WHOLE_CURRENCIES


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


def rate_on(rates: dict[str, list], currency: str, day: date) -> Decimal:
    """1 unit of ``currency`` in USD on ``day`` (the seeded vendors report in USD)."""
    steps = rates.get(currency)
    if not steps:
        return Decimal(1)
    index = bisect_right(steps, day, key=lambda step: step[0]) - 1
    return steps[max(index, 0)][1]


def local_amount(usd: Decimal, currency: str, rate: Decimal) -> Decimal:
    """A USD price in ``currency``, rounded as that currency is written."""
    places = Decimal(1) if currency in WHOLE_CURRENCIES else Decimal("0.01")
    return (usd / rate).quantize(places)


def seed_rates(cursor, rates: dict[str, list], reporting: str) -> int:
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
