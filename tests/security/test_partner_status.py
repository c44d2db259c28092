"""What a partner's people may do in each status (partners/rules.py), enforced by the
services and explained on the portal:

- onboarding: log in, accept the agreement, manage users; no deals, no reports;
- active: everything;
- suspended: read-only, with the reason shown;
- terminated: no login.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Deal, Product
from partners import services
from partners.models import Invitation, Partner, PartnerStatus
from prm.accounts.models import User
from reporting.models import Upload
from tests.cast import PASSWORD
from tests.conftest import TenantClient

REASON = "Unpaid invoices since March"


def deal_form(product):
    return {
        "customer_name": "Status Test Customer",
        "customer_domain": "status-test.example",
        "customer_country": "US",
        "contact_name": "Dana Buyer",
        "expected_close_date": (date.today() + timedelta(days=60)).isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk),
        "lines-0-quantity": "1",
    }


def report():
    return SimpleUploadedFile(
        "status.csv",
        b"Invoice Number,Invoice Date,End Customer,SKU,Quantity,Unit Price,Currency\n"
        b"ST-1,2026-09-01,Status Customer,ST-1,1,10.00,USD\n",
        content_type="text/csv",
    )


@pytest.fixture
def product(acme):
    return Product.objects.create(vendor_sku="ST-1", name="Status", list_price=Decimal("10"))


@pytest.fixture
def suspended(cast, acme):
    services.partner_change_status(
        partner=cast.partner_a,
        to_status=PartnerStatus.SUSPENDED,
        user=cast.vendor_admin,
        reason=REASON,
    )
    return cast.partner_a


def onboarding(cast):
    Partner.objects.filter(pk=cast.partner_a.pk).update(status=PartnerStatus.ONBOARDING)


def test_it_lets_a_suspended_partner_read_but_not_register(cast, suspended, product, client_for):
    client = client_for(cast.rep_a1)
    assert client.get("/deals/").status_code == 200
    response = client.post("/deals/new/", deal_form(product))
    assert response.status_code == 200
    assert not Deal.objects.filter(customer_name="Status Test Customer").exists()
    assert "suspended" in response.content.decode() and REASON in response.content.decode()


def test_it_shows_a_suspended_partner_why(cast, suspended, client_for):
    page = client_for(cast.rep_a1).get("/portal/").content.decode()
    assert 'data-testid="partner-restriction"' in page and REASON in page


def test_it_refuses_a_suspended_partners_upload_and_user_changes(cast, suspended, client_for):
    admin = client_for(cast.partner_a_admin)
    response = admin.post("/reports/upload/", {"file": report()})
    assert REASON in response.content.decode()
    assert not Upload.objects.filter(partner=cast.partner_a).exists()
    admin.post(f"/portal/users/{cast.rep_a1.pk}/active/", {"active": "0"})
    assert User.objects.get(pk=cast.rep_a1.pk).is_active
    admin.post("/portal/users/", {"email": "new@ardent.example", "role": "partner_rep"})
    assert not Invitation.objects.filter(email="new@ardent.example").exists()


def test_it_lets_the_vendor_still_act_for_a_suspended_partner(cast, suspended, client_for):
    client_for(cast.cm_a).post("/reports/upload/", {"file": report(), "partner": cast.partner_a.pk})
    assert Upload.objects.filter(partner=cast.partner_a).exists()


def test_it_allows_no_deals_or_reports_before_the_agreement(cast, acme, product, client_for):
    onboarding(cast)
    rep = client_for(cast.rep_a1)
    response = rep.post("/deals/new/", deal_form(product))
    assert "accepts the programme agreement" in response.content.decode()
    assert not Deal.objects.filter(customer_name="Status Test Customer").exists()
    client_for(cast.partner_a_admin).post("/reports/upload/", {"file": report()})
    assert not Upload.objects.filter(partner=cast.partner_a).exists()


def test_it_lets_an_onboarding_partner_manage_users_and_accept(cast, acme, client_for):
    onboarding(cast)
    version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    admin = client_for(cast.partner_a_admin)
    admin.post("/portal/users/", {"email": "first@ardent.example", "role": "partner_rep"})
    assert Invitation.objects.filter(email="first@ardent.example").exists()
    admin.post("/portal/agreement/", {"version": version.pk})
    assert Partner.objects.get(pk=cast.partner_a.pk).status == PartnerStatus.ACTIVE


def test_it_refuses_login_once_the_partnership_ended(cast, acme):
    services.partner_change_status(
        partner=cast.partner_a,
        to_status=PartnerStatus.TERMINATED,
        user=cast.vendor_admin,
        reason="Contract ended",
    )
    # Even if someone reactivates the account, the partnership's end keeps it out.
    User.objects.filter(pk=cast.rep_a1.pk).update(is_active=True)
    client = TenantClient("acme.localhost")
    response = client.post("/login/", {"username": cast.rep_a1.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "partnership has ended" in response.content.decode()
    assert "_auth_user_id" not in client.session
