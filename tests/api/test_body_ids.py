"""Ids and slugs in API requests never reach past the key's scope, for every role.

Each API operation that names another object (in its path or body) is tried by every
acme role with an object of partner B or of the other tenant: roles outside the scope get
404 (or 400 for a name that does not exist here) and nothing changes; forged ownership
fields (partner, status, registered_by) are ignored.
"""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from deals import services
from deals.models import Deal, Product
from partners.models import Partner
from reporting.models import Upload
from tests.api.support import key_for, with_key
from tests.api.test_resources import _report

JSON = "application/json"
ROLES = ("vendor_admin", "cm_a", "cm_b", "partner_a_admin", "rep_a1", "partner_b_admin", "rep_b")
SEES_PARTNER_B = {"vendor_admin", "cm_b", "partner_b_admin", "rep_b"}


@pytest.fixture
def partner_b_deal(cast, acme):
    product = Product.objects.create(vendor_sku="BODY-1", name="P", list_price=Decimal("1"))
    deal = services.deal_create(
        user=cast.rep_b,
        data=services.DealInput(customer_name="Body Id Customer"),
        lines=[services.LineInput(product_id=product.pk, quantity=1)],
    )
    return services.deal_submit(user=cast.rep_b, deal_id=deal.pk, expected_version=deal.version)


def _api(client_for, cast, role):
    return with_key(client_for(None), key_for(cast.users()[role]))


@pytest.mark.parametrize("role", ROLES)
def test_it_keeps_deal_operations_on_partner_b_in_scope(
    role, cast, acme, client_for, partner_b_deal
):
    client = _api(client_for, cast, role)
    deal = partner_b_deal
    user = cast.users()[role]
    read = client.get(f"/api/v1/deals/{deal.pk}/").status_code
    assert read == (200 if role in SEES_PARTNER_B else 404)
    for action in ("approve", "reject", "request-info", "submit"):
        status = client.post(
            f"/api/v1/deals/{deal.pk}/{action}/",
            {"version": deal.version + 99, "comment": "x", "partner": cast.partner_a.slug},
            content_type=JSON,
        ).status_code
        staff_action = action != "submit"
        if staff_action != user.is_vendor_staff:
            assert status == 403, (action, status)
        elif role in SEES_PARTNER_B:
            assert status == 409, (action, status)  # in scope: only the stale version stops it
        else:
            assert status == 404, (action, status)
    deal.refresh_from_db()
    assert (deal.status, deal.version) == ("submitted", partner_b_deal.version)


@pytest.mark.parametrize("role", ROLES)
def test_it_ignores_partner_and_owner_fields_when_creating_deals(role, cast, acme, client_for):
    Product.objects.create(vendor_sku="BODY-2", name="P", list_price=Decimal("1"))
    with schema_context("globex"):
        Product.objects.create(vendor_sku="GLOBEX-ONLY", name="G", list_price=Decimal("1"))
    client = _api(client_for, cast, role)
    user = cast.users()[role]
    forged = {
        "customer_name": f"Forged by {role}",
        "partner": cast.partner_b.slug if user.partner != cast.partner_b else cast.partner_a.slug,
        "registered_by": cast.vendor_admin.pk,
        "status": "approved",
        "lines": [{"vendor_sku": "BODY-2", "quantity": 1}],
    }
    response = client.post("/api/v1/deals/", forged, content_type=JSON)
    if not user.is_partner_user:
        assert response.status_code == 403
        assert not Deal.objects.filter(customer_name=forged["customer_name"]).exists()
        return
    assert response.status_code == 201
    deal = Deal.objects.get(pk=response.json()["id"])
    assert (deal.partner, deal.registered_by, deal.status) == (user.partner, user, "draft")
    foreign_sku = dict(forged, lines=[{"vendor_sku": "GLOBEX-ONLY", "quantity": 1}])
    assert client.post("/api/v1/deals/", foreign_sku, content_type=JSON).status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_it_files_uploads_only_under_partners_in_scope(role, cast, acme, client_for):
    client = _api(client_for, cast, role)
    user = cast.users()[role]
    response = client.post("/api/v1/uploads/", {"file": _report(), "partner": cast.partner_b.slug})
    if user.is_partner_admin:
        assert response.status_code == 202
        assert Upload.objects.get(pk=response.json()["id"]).partner == user.partner
    elif user.is_vendor_staff:
        assert response.status_code == (202 if role in SEES_PARTNER_B else 404)
    else:
        assert response.status_code == 403
    globex = client.post("/api/v1/uploads/", {"file": _report(), "partner": "contoso"})
    assert globex.status_code in (202, 403, 404)
    if globex.status_code == 202:
        assert user.is_partner_admin, "only a partner admin, who uploads for their own partner"
        assert Upload.objects.get(pk=globex.json()["id"]).partner == user.partner


@pytest.mark.parametrize("role", ROLES)
def test_it_keeps_partner_changes_in_scope_and_refuses_foreign_people(role, cast, acme, client_for):
    client = _api(client_for, cast, role)
    before = Partner.objects.get(pk=cast.partner_b.pk)
    response = client.patch(
        f"/api/v1/partners/{cast.partner_b.slug}/",
        {"name": "Renamed", "status": "terminated"},
        content_type=JSON,
    )
    expected = {"vendor_admin": 200, "cm_b": 403, "cm_a": 404}.get(role, 403)
    assert response.status_code == expected
    after = Partner.objects.get(pk=cast.partner_b.pk)
    assert after.status == before.status, "status is not a field of the API's partner"
    assert after.name == ("Renamed" if role == "vendor_admin" else before.name)
    other_tenant_person = client.post(
        "/api/v1/partners/",
        {"name": "X", "slug": f"x-{role}", "channel_manager": cast.globex_admin.email},
        content_type=JSON,
    )
    assert other_tenant_person.status_code == (400 if role == "vendor_admin" else 403)
    assert not Partner.objects.filter(slug=f"x-{role}").exists()
