"""Partners, products, uploads and sales lines through the API, each in the user's scope."""

import uuid
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from deals.models import Product
from partners.models import Partner
from reporting.models import SalesLine, Upload
from tests.api.support import key_for, with_key
from tests.reporting.uploads import done_upload, sales_line

JSON = "application/json"


def _api(client_for, user):
    return with_key(client_for(None), key_for(user))


def _slugs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["slug"] for row in response.json()["results"]}


# --- Partners ------------------------------------------------------------------------------


def test_it_lists_partners_in_the_staff_members_scope(cast, acme, client_for):
    assert _slugs(_api(client_for, cast.cm_a).get("/api/v1/partners/")) == {cast.partner_a.slug}
    everyone = set(Partner.objects.values_list("slug", flat=True))
    assert _slugs(_api(client_for, cast.vendor_admin).get("/api/v1/partners/")) == everyone
    body = _api(client_for, cast.cm_a).get(f"/api/v1/partners/{cast.partner_a.slug}/").json()
    assert body["channel_manager"] == cast.cm_a.email
    assert body["status"] == cast.partner_a.status


def test_it_lets_the_vendor_admin_create_and_update_a_partner(cast, acme, client_for):
    admin = _api(client_for, cast.vendor_admin)
    created = admin.post(
        "/api/v1/partners/",
        {
            "name": "Fjord Networks",
            "slug": "fjord",
            "country": "no",
            "channel_manager": cast.cm_b.email,
            "status": "active",  # not a field: new partners start onboarding
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "onboarding"
    assert created.json()["country"] == "NO"
    assert (
        admin.post(
            "/api/v1/partners/", {"name": "Again", "slug": "fjord"}, content_type=JSON
        ).status_code
        == 400
    )
    updated = admin.patch(
        "/api/v1/partners/fjord/",
        {"name": "Fjord Networks AS", "channel_manager": cast.cm_a.email, "status": "active"},
        content_type=JSON,
    )
    assert updated.status_code == 200, updated.content
    partner = Partner.objects.get(slug="fjord")
    assert (partner.name, partner.channel_manager, partner.status) == (
        "Fjord Networks AS",
        cast.cm_a,
        "onboarding",
    )
    assert _slugs(_api(client_for, cast.cm_a).get("/api/v1/partners/")) == {
        cast.partner_a.slug,
        "fjord",
    }


# --- Products ------------------------------------------------------------------------------


def test_it_upserts_products_for_the_vendor_admin_only(cast, acme, client_for):
    admin = _api(client_for, cast.vendor_admin)
    item = {"vendor_sku": "API-UPS", "name": "UPS", "list_price": "99.50", "currency": "eur"}
    created = admin.post("/api/v1/products/", item, content_type=JSON)
    assert created.status_code == 201
    assert created.json() == {
        "vendor_sku": "API-UPS",
        "name": "UPS",
        "list_price": "99.50",
        "currency": "EUR",
        "is_active": True,
    }
    changed = admin.post("/api/v1/products/", dict(item, list_price="89.00"), content_type=JSON)
    assert changed.status_code == 200
    assert Product.objects.get(vendor_sku="API-UPS").list_price == Decimal("89.00")
    rep = _api(client_for, cast.rep_a1)
    assert rep.post("/api/v1/products/", item, content_type=JSON).status_code == 403
    skus = {row["vendor_sku"] for row in rep.get("/api/v1/products/?limit=200").json()["results"]}
    assert "API-UPS" in skus


# --- Uploads and sales lines ---------------------------------------------------------------


def _report() -> SimpleUploadedFile:
    row = f"INV-{uuid.uuid4().hex[:8]},2026-09-01,AN-SW-24P,1,10.00\n"
    return SimpleUploadedFile("pos.csv", ("Invoice,Date,SKU,Qty,Price\n" + row).encode())


def test_it_accepts_a_report_with_202_and_reports_its_status(cast, acme, client_for):
    admin = _api(client_for, cast.partner_a_admin)
    report = _report()
    response = admin.post("/api/v1/uploads/", {"file": report})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["partner"] == cast.partner_a.slug
    assert body["status"] == "queued"
    assert body["errors"] == []
    upload = Upload.objects.get(pk=body["id"])
    assert upload.uploaded_by == cast.partner_a_admin
    status = admin.get(f"/api/v1/uploads/{upload.pk}/").json()
    assert status["id"] == upload.pk and status["original_name"] == "pos.csv"

    report.seek(0)
    again = admin.post("/api/v1/uploads/", {"file": report})
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate"
    assert (
        _api(client_for, cast.rep_a1).post("/api/v1/uploads/", {"file": _report()}).status_code
        == 403
    )
    assert (
        _api(client_for, cast.partner_b_admin).get(f"/api/v1/uploads/{upload.pk}/").status_code
        == 404
    )


def test_it_needs_a_partner_in_scope_for_staff_uploads(cast, acme, client_for):
    cm = _api(client_for, cast.cm_a)
    assert cm.post("/api/v1/uploads/", {"file": _report()}).status_code == 400
    outside = cm.post("/api/v1/uploads/", {"file": _report(), "partner": cast.partner_b.slug})
    assert outside.status_code == 404
    inside = cm.post("/api/v1/uploads/", {"file": _report(), "partner": cast.partner_a.slug})
    assert inside.status_code == 202
    assert Upload.objects.get(pk=inside.json()["id"]).partner == cast.partner_a


def _lines(partner, admin, dates: list[date]) -> list[SalesLine]:
    upload = done_upload(partner, admin)
    return SalesLine.objects.bulk_create(
        sales_line(upload, number, day=day, quantity=2, unit_price=Decimal("10.50"))
        for number, day in enumerate(dates)
    )


def test_it_lists_sales_lines_by_partner_and_invoice_date(cast, acme, client_for):
    ours = _lines(cast.partner_a, cast.partner_a_admin, [date(2026, 9, 1), date(2026, 10, 5)])
    theirs = _lines(cast.partner_b, cast.partner_b_admin, [date(2026, 9, 2)])
    admin = _api(client_for, cast.vendor_admin)

    def ids(client, query=""):
        response = client.get(f"/api/v1/sales-lines/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    everything = {line.pk for line in ours + theirs}
    assert ids(admin) >= everything
    assert ids(admin, f"partner={cast.partner_b.slug}") & everything == {theirs[0].pk}
    september = "invoice_date_from=2026-09-01&invoice_date_to=2026-09-30"
    assert ids(admin, september) & everything == {ours[0].pk, theirs[0].pk}
    assert ids(_api(client_for, cast.partner_a_admin)) & everything == {line.pk for line in ours}
    assert _api(client_for, cast.rep_a1).get("/api/v1/sales-lines/").status_code == 403
    row = admin.get(f"/api/v1/sales-lines/?partner={cast.partner_a.slug}&limit=1").json()
    assert row["results"][0]["amount"] == "21.00" and row["results"][0]["currency"] == "EUR"
    assert row["next"] is not None
