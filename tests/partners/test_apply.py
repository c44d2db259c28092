"""The public "become a partner" page on the vendor host."""

import pytest

from partners.models import PartnerApplication, Territory
from partners.views import APPLICATIONS_PER_HOUR
from prm.accounts.throttle import reset_all


@pytest.fixture(autouse=True)
def fresh_throttle(acme):
    """The test client's address starts with no applications this hour."""
    reset_all()
    yield
    reset_all()


def application(n=0):
    return {
        "company_name": f"Company {n}",
        "country": "US",
        "partner_type": "reseller",
        "contact_name": "Sam",
        "contact_email": f"sam{n}@company{n}.example",
    }


def test_it_takes_an_application_from_an_anonymous_visitor(cast, acme, client_for):
    Territory.objects.create(name="Americas", countries=["US", "CA"], channel_manager=cast.cm_a)
    client = client_for(None)
    assert "Become a Acme Networks partner" in client.get("/partners/apply/").content.decode()
    response = client.post(
        "/partners/apply/",
        {
            "company_name": "Maple Networks",
            "country": "ca",
            "partner_type": "reseller",
            "contact_name": "Mia Maple",
            "contact_email": "mia@maple.example",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/partners/apply/thanks/"
    application = PartnerApplication.objects.get(contact_email="mia@maple.example")
    assert application.channel_manager == cast.cm_a and application.country == "CA"


def test_it_says_what_to_fix_in_an_incomplete_application(cast, acme, client_for):
    response = client_for(None).post("/partners/apply/", {"company_name": "X", "country": "1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a two-letter country code" in page
    assert not PartnerApplication.objects.exists()


def test_it_ignores_a_forged_status_or_reviewer(cast, acme, client_for):
    client_for(None).post(
        "/partners/apply/",
        {
            "company_name": "Sneaky",
            "country": "US",
            "partner_type": "reseller",
            "contact_name": "S",
            "contact_email": "s@sneaky.example",
            "status": "approved",
            "channel_manager": cast.cm_b.pk,
            "reviewed_by": cast.cm_b.pk,
        },
    )
    application = PartnerApplication.objects.get(contact_email="s@sneaky.example")
    assert application.status == "submitted" and application.reviewed_by is None
    assert application.channel_manager is None


def test_it_slows_down_a_flood_of_applications_from_one_address(cast, acme, client_for):
    client = client_for(None)
    for n in range(APPLICATIONS_PER_HOUR):
        assert client.post("/partners/apply/", application(n)).status_code == 302
    response = client.post("/partners/apply/", application(99))
    assert response.status_code == 429
    assert "Try again later" in response.content.decode()
    assert PartnerApplication.objects.count() == APPLICATIONS_PER_HOUR


def test_it_takes_one_pending_application_per_address(cast, acme, client_for):
    client = client_for(None)
    assert client.post("/partners/apply/", application(1)).status_code == 302
    again = client.post(
        "/partners/apply/", {**application(2), "contact_email": "SAM1@company1.example"}
    )
    assert "already waiting for review" in again.content.decode()
    assert PartnerApplication.objects.count() == 1
