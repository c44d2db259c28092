"""`seed_scale` with small counts: the data is what a user of the seeded vendors would see.

The command commits (COPY, vendor_create, worker processes), so it runs once for the
module outside the tests' transactions and its vendors are dropped afterwards.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Sum
from django_tenants.utils import schema_context

from deals.models import Deal, DealEvent, DealLine
from partners.models import Membership, Partner
from prm.accounts.models import PARTNER_ROLES, Role, User
from prm.seeding import scale
from reporting.analytics.selectors import Period, add_months
from reporting.models import SalesLine, Upload
from tests.conftest import TenantClient

SCHEMA = "scaletest"
HOST = "scaletest.localhost"
SMALL = {f"{SCHEMA}_001": "scaletest-001.localhost", f"{SCHEMA}_002": "scaletest-002.localhost"}
COUNTS = {"partners": 20, "users": 100, "deals": 200, "lines": 2000, "cms": 3}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        out = StringIO()
        try:
            call_command("seed_scale", schema=SCHEMA, small_tenants=2, jobs=2, stdout=out, **COUNTS)
            yield out.getvalue()
        finally:
            connection.set_schema_to_public()
            scale.drop_vendors(scale.existing_schemas([SCHEMA, *SMALL]))


def login(host: str, email: str) -> TenantClient:
    client = TenantClient(host)
    response = client.post(
        "/login/", {"username": email, "password": scale.SCALE_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    # Logged in: sent on to the role's home page (a failed login stays on the form).
    assert response.redirect_chain and response.redirect_chain[-1][0] in (
        "/portal/",
        "/workspace/",
    ), email
    return client


def test_it_writes_the_counts_asked_for(seeded, db):
    assert "Scale data ready." in seeded
    assert "sales lines" in seeded and "rows/s" in seeded
    with schema_context(SCHEMA):
        roles = dict(User.objects.values_list("role").annotate(n=Count("pk")))
        assert roles == {
            Role.VENDOR_ADMIN: 1,
            Role.CHANNEL_MANAGER: 3,
            Role.PARTNER_ADMIN: 20,
            Role.PARTNER_REP: 80,
        }
        assert Partner.objects.count() == 20
        assert Deal.objects.count() == 200
        assert DealLine.objects.count() >= 200
        assert SalesLine.objects.count() == 2000
        assert Upload.objects.aggregate(n=Sum("line_count"))["n"] == 2000
        # Each change of a deal is one history entry, and its version counts them.
        versions = dict(Deal.objects.values_list("pk", "version"))
        events = dict(DealEvent.objects.values_list("deal").annotate(n=Count("pk")))
        assert events == versions
        assert set(Deal.objects.values_list("status", flat=True)) >= {
            "draft",
            "submitted",
            "approved",
            "won",
            "lost",
            "rejected",
            "expired",
        }


def test_it_ties_each_partner_user_to_exactly_one_partner(seeded, db):
    with schema_context(SCHEMA):
        partner_users = User.objects.filter(role__in=PARTNER_ROLES)
        assert Membership.objects.count() == partner_users.count() == 100
        assert not partner_users.filter(membership__isnull=True).exists()
        admins = Membership.objects.filter(user__role=Role.PARTNER_ADMIN)
        assert sorted(admins.values_list("partner", flat=True)) == sorted(
            Partner.objects.values_list("pk", flat=True)
        )
        # Deals are registered by their own partner's users.
        assert not Deal.objects.exclude(registered_by__membership__partner=F("partner")).exists()


def test_it_lets_a_seeded_rep_log_in_and_see_only_their_partners_deals(seeded, db):
    with schema_context(SCHEMA):
        rep = (
            User.objects.filter(role=Role.PARTNER_REP)
            .annotate(n=Count("registered_deals"))
            .filter(n__gt=0)
            .order_by("pk")
            .first()
        )
        own = Deal.objects.filter(registered_by=rep).first()
        other = Deal.objects.exclude(partner=rep.partner).first()
    client = login(HOST, rep.email)
    response = client.get("/deals/")
    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert listed and {deal.partner_id for deal in listed} == {rep.partner.pk}
    assert client.get(f"/deals/{own.pk}/").status_code == 200
    assert client.get(f"/deals/{other.pk}/").status_code == 404


def test_it_shows_a_cm_the_figures_of_the_raw_lines(seeded, db):
    period = Period.last_months(12)
    with schema_context(SCHEMA):
        cm = User.objects.get(email="cm1@scaletest.example")
        # Independent of the summaries: each raw line at the latest rate on its date.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT sum(l.amount * CASE WHEN l.currency = 'USD' THEN 1 ELSE
                       (SELECT r.rate FROM analytics_exchangerate r
                         WHERE r.currency = l.currency AND r.quote_currency = 'USD'
                           AND r.valid_from <= l.invoice_date
                         ORDER BY r.valid_from DESC LIMIT 1) END)
                  FROM reporting_salesline l JOIN partners_partner p ON p.id = l.partner_id
                 WHERE p.channel_manager_id = %s AND l.invoice_date >= %s
                   AND l.invoice_date < %s
                """,
                [cm.pk, period.start, add_months(period.end, 1)],
            )
            expected = cursor.fetchone()[0]
    assert expected > 0
    client = login(HOST, cm.email)
    response = client.get(
        "/analytics/", {"start": f"{period.start:%Y-%m}", "end": f"{period.end:%Y-%m}"}
    )
    assert response.status_code == 200
    totals = response.context["totals"]
    # Summary rows keep 4 decimals: equal to the cent.
    assert abs(totals.current - expected) < Decimal("0.01")
    assert totals.unconverted_lines == 0
    assert totals.current > Decimal(0)


def test_it_answers_on_the_small_tenants_hosts(seeded, db):
    for schema, host in SMALL.items():
        assert TenantClient(host).get("/login/").status_code == 200
        response = login(host, f"admin@{host.split('.')[0]}.example").get("/workspace/")
        assert response.status_code == 200
        with schema_context(schema):
            assert Partner.objects.count() == 3
            assert SalesLine.objects.exists() and Deal.objects.exists()


def test_it_refuses_to_seed_over_an_existing_schema(seeded, db):
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_scale", schema=SCHEMA, large_only=True, stdout=StringIO(), **COUNTS)
