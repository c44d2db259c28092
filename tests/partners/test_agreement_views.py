"""Publishing the agreement (vendor admin) and accepting it in the portal."""

from partners import services
from partners.models import AgreementAcceptance, AgreementVersion, Partner, PartnerStatus
from tests.partners.helpers import make_partner


def test_it_lets_a_vendor_admin_publish_a_version(cast, acme, client_for):
    response = client_for(cast.vendor_admin).post(
        "/partners/agreement/", {"title": "Programme terms", "body": "Sell well."}
    )
    assert response.status_code == 302
    assert AgreementVersion.objects.get().number == 1


def test_it_refuses_publishing_by_a_cm(cast, acme, client_for):
    client = client_for(cast.cm_a)
    assert client.get("/partners/agreement/").status_code == 200
    assert client.post("/partners/agreement/", {"title": "T", "body": "B"}).status_code == 403
    assert not AgreementVersion.objects.exists()


def test_it_records_the_admins_acceptance_and_activates_the_partner(cast, acme, client_for):
    from partners.memberships import partner_user_create
    from prm.accounts.models import Role

    version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    partner = make_partner(status=PartnerStatus.ONBOARDING)
    admin = partner_user_create(
        email="owner@fresh.example",
        role=Role.PARTNER_ADMIN,
        partner=partner,
        password="x-very-long-password-1",
    )
    client = client_for(admin)
    assert "Accept on behalf of" in client.get("/portal/agreement/").content.decode()
    response = client.post("/portal/agreement/", {"version": version.pk})
    assert response.status_code == 302
    acceptance = AgreementAcceptance.objects.get(partner=partner)
    assert acceptance.accepted_by == admin and acceptance.version == version
    assert Partner.objects.get(pk=partner.pk).status == PartnerStatus.ACTIVE


def test_it_refuses_acceptance_by_a_rep(cast, acme, client_for):
    version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    client = client_for(cast.rep_a1)
    assert client.get("/portal/agreement/").status_code == 200
    assert client.post("/portal/agreement/", {"version": version.pk}).status_code == 403
    assert not AgreementAcceptance.objects.exists()


def test_it_refuses_accepting_an_outdated_version(cast, acme, client_for):
    old = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    services.agreement_publish(title="Terms", body="v2", user=cast.vendor_admin)
    client_for(cast.partner_a_admin).post("/portal/agreement/", {"version": old.pk})
    assert not AgreementAcceptance.objects.exists()
