"""`seed_demo` can run twice: the second run changes nothing."""

from django.core.management import call_command
from django_tenants.utils import schema_context

from partners.models import Partner
from prm.accounts.models import User


def counts():
    with schema_context("acme"):
        acme = (User.objects.count(), Partner.objects.count())
    with schema_context("globex"):
        globex = (User.objects.count(), Partner.objects.count())
    return acme, globex


def test_it_seeds_the_demo_cast_once(cast, db):
    call_command("seed_demo", verbosity=0)
    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first
    with schema_context("acme"):
        cm1 = User.objects.get(email="cm1@acme.example")
        assert set(cm1.managed_partners.values_list("slug", flat=True)) == {"mueller", "northwind"}
        rep = User.objects.get(email="rep@saigon.example")
        assert rep.partner.slug == "saigon"
        assert rep.check_password("prm-demo-2026")
    with schema_context("globex"):
        assert User.objects.get(email="admin@contoso.example").partner.slug == "contoso"


def test_it_lets_every_demo_user_log_in_to_their_home_page(cast, db, client_for):
    from prm.seeding.demo import DEMO_PASSWORD, DEMO_VENDORS

    call_command("seed_demo", verbosity=0)
    landed, expected = {}, {}
    for spec in DEMO_VENDORS:
        for email in [spec.admin, *(email for email, _ in spec.channel_managers)]:
            expected[email] = "/workspace/"
        for email, *_ in spec.partner_users:
            expected[email] = "/portal/"
        for email in expected.keys() - landed.keys():
            client = client_for(None, host=f"{spec.schema}.localhost")
            response = client.post(
                "/login/", {"username": email, "password": DEMO_PASSWORD}, follow=True
            )
            assert response.status_code == 200, email
            landed[email] = response.redirect_chain[-1][0]
    assert landed == expected
