"""Territories (vendor admins define them) and reassignment of a CM's partners."""

from partners.models import Partner, PartnerApplication, Territory
from tests.partners.helpers import make_application


def test_it_lets_a_vendor_admin_add_a_territory(cast, acme, client_for):
    response = client_for(cast.vendor_admin).post(
        "/workspace/territories/new/",
        {"name": "Nordics", "countries": "se, no dk,FI", "channel_manager": cast.cm_b.pk},
    )
    assert response.status_code == 302
    territory = Territory.objects.get(name="Nordics")
    assert territory.countries == ["DK", "FI", "NO", "SE"]
    assert territory.channel_manager == cast.cm_b


def test_it_explains_a_wrong_country_code(cast, acme, client_for):
    page = (
        client_for(cast.vendor_admin)
        .post("/workspace/territories/new/", {"name": "Bad", "countries": "Germany"})
        .content.decode()
    )
    assert "not two-letter country codes" in page


def test_it_shows_territories_to_cms_but_lets_only_admins_add(cast, acme, client_for):
    client = client_for(cast.cm_a)
    assert client.get("/workspace/territories/").status_code == 200
    assert (
        client.post("/workspace/territories/new/", {"name": "X", "countries": "US"}).status_code
        == 403
    )


def test_it_reassigns_all_partners_and_open_applications_of_a_cm(cast, acme, client_for):
    application = make_application(channel_manager=cast.cm_a)
    response = client_for(cast.vendor_admin).post(
        "/workspace/reassign/", {"from_manager": cast.cm_a.pk, "to_manager": cast.cm_b.pk}
    )
    assert response.status_code == 302
    assert Partner.objects.get(pk=cast.partner_a.pk).channel_manager == cast.cm_b
    assert PartnerApplication.objects.get(pk=application.pk).channel_manager == cast.cm_b


def test_it_refuses_reassignment_by_a_cm(cast, acme, client_for):
    response = client_for(cast.cm_a).post(
        "/workspace/reassign/", {"from_manager": cast.cm_b.pk, "to_manager": cast.cm_a.pk}
    )
    assert response.status_code == 403
    assert Partner.objects.get(pk=cast.partner_b.pk).channel_manager == cast.cm_b
