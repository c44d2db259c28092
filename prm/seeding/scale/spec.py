"""What is seeded: volumes, names, countries and currencies, one vendor's spec, and what
later steps need to know about a seeded vendor."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

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


def password_hash() -> str:
    # PBKDF2 is slow on purpose (Django 5.2: 1,000,000 iterations, ~0.4 s a hash here):
    # hashing 50,000 passwords would take hours. One hash, reused for every account, is a
    # valid hash of the same password (only the salt is shared): fine for benchmark data,
    # never for real accounts.
    from django.contrib.auth.hashers import make_password

    return make_password(SCALE_PASSWORD)
