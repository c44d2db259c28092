"""Small builders for partner tests (rows live in the test's rolled-back transaction)."""

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Partner, PartnerApplication, Tier

_seq = itertools.count(1)


def make_partner(**fields) -> Partner:
    n = next(_seq)
    fields.setdefault("name", f"Partner {n:04d}")
    fields.setdefault("slug", f"partner-{n:04d}")
    return Partner.objects.create(**fields)


def make_application(**fields) -> PartnerApplication:
    n = next(_seq)
    fields.setdefault("company_name", f"Applicant {n:04d}")
    fields.setdefault("country", "US")
    fields.setdefault("contact_name", "Pat Applicant")
    fields.setdefault("contact_email", f"pat{n}@applicant{n}.example")
    return PartnerApplication.objects.create(**fields)


def make_tiers() -> tuple[Tier, Tier, Tier]:
    return (
        Tier.objects.create(name="Registered", rank=1, discount_percent=5),
        Tier.objects.create(
            name="Silver",
            rank=2,
            min_yearly_sales=100_000,
            min_certified_reps=2,
            discount_percent=10,
        ),
        Tier.objects.create(
            name="Gold", rank=3, min_yearly_sales=500_000, min_certified_reps=4, discount_percent=20
        ),
    )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context)
