"""Deals through the API: filters, pages, decisions with version checks, idempotent POSTs."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from deals import services
from deals.models import Deal, DealEvent, Product
from tests.api.support import key_for, with_key

JSON = "application/json"


@pytest.fixture
def product(acme):
    return Product.objects.create(vendor_sku="API-SW", name="Switch", list_price=Decimal("250.00"))


def _draft(user, product, customer: str) -> Deal:
    return services.deal_create(
        user=user,
        data=services.DealInput(customer_name=customer),
        lines=[services.LineInput(product_id=product.pk, quantity=2)],
    )


def _submitted(user, product, customer: str) -> Deal:
    deal = _draft(user, product, customer)
    return services.deal_submit(user=user, deal_id=deal.pk, expected_version=deal.version)


def _api(client_for, user):
    return with_key(client_for(None), key_for(user))


def test_it_filters_by_status_partner_and_update_time(cast, acme, client_for, product):
    draft = _draft(cast.rep_a1, product, "Filter Draft Co")
    submitted = _submitted(cast.rep_a1, product, "Filter Submitted Co")
    theirs = _submitted(cast.rep_b, product, "Filter Bergmann Co")
    Deal.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - timedelta(days=3))
    admin = _api(client_for, cast.vendor_admin)

    def ids(query):
        response = admin.get(f"/api/v1/deals/?{query}")
        assert response.status_code == 200, response.content
        return {deal["id"] for deal in response.json()["results"]}

    assert ids("status=submitted") == {submitted.pk, theirs.pk}
    assert ids(f"partner={cast.partner_b.slug}") == {theirs.pk}
    since = (timezone.now() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"updated_since={since}") == {submitted.pk, theirs.pk}
    assert admin.get("/api/v1/deals/?status=bogus").status_code == 422


def test_it_shows_a_deal_with_money_as_strings_and_iso_dates(cast, acme, client_for, product):
    deal = _submitted(cast.rep_a1, product, "Shape Test GmbH")
    body = _api(client_for, cast.cm_a).get(f"/api/v1/deals/{deal.pk}/").json()
    assert body["partner"] == cast.partner_a.slug
    assert body["expected_value"] == "500.00"  # 2 x 250.00, as a string
    assert body["currency"] == deal.currency
    assert body["lines"] == [
        {"vendor_sku": "API-SW", "product_name": "Switch", "quantity": 2, "unit_price": "250.00"}
    ]
    assert body["submitted_at"].startswith(str(timezone.localdate().year))
    assert body["protected_until"] is None


def test_it_hides_conflicts_from_partners_but_shows_them_to_the_cm(cast, acme, client_for, product):
    mine = _submitted(cast.rep_a1, product, "Rival Customer Ltd")
    _submitted(cast.rep_b, product, "Rival Customer Ltd")
    cm_view = _api(client_for, cast.cm_a).get(f"/api/v1/deals/{mine.pk}/").json()
    rep_view = _api(client_for, cast.rep_a1).get(f"/api/v1/deals/{mine.pk}/").json()
    assert cm_view["conflicts"], "the CM sees the rival registration"
    assert cm_view["conflicts"][0]["other_deal"]["partner"] == cast.partner_b.slug
    assert rep_view["conflicts"] == []
    assert cast.partner_b.slug not in str(rep_view)


def test_it_approves_with_the_current_version_and_refuses_a_stale_one(
    cast, acme, client_for, product
):
    deal = _submitted(cast.rep_a1, product, "Version Check Inc")
    cm = _api(client_for, cast.cm_a)
    stale = cm.post(
        f"/api/v1/deals/{deal.pk}/approve/", {"version": deal.version - 1}, content_type=JSON
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "changed"
    approved = cm.post(
        f"/api/v1/deals/{deal.pk}/approve/",
        {"version": deal.version, "comment": "ok"},
        content_type=JSON,
    )
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved"
    assert body["protected_until"] == str(timezone.localdate() + timedelta(days=90))
    again = cm.post(
        f"/api/v1/deals/{deal.pk}/approve/", {"version": body["version"]}, content_type=JSON
    )
    assert again.status_code == 409, "an approved deal cannot be approved again"
    assert DealEvent.objects.filter(deal=deal, kind="approved").count() == 1


def test_it_rejects_only_with_a_reason_and_returns_questions_to_the_partner(
    cast, acme, client_for, product
):
    deal = _submitted(cast.rep_a1, product, "Reason Needed Ltd")
    cm = _api(client_for, cast.cm_a)
    url = f"/api/v1/deals/{deal.pk}"
    no_reason = cm.post(f"{url}/reject/", {"version": deal.version}, content_type=JSON)
    assert no_reason.status_code == 400
    assert no_reason.json()["detail"]
    asked = cm.post(
        f"{url}/request-info/",
        {"version": deal.version, "comment": "Which site?"},
        content_type=JSON,
    )
    assert asked.json()["status"] == "more_information"
    assert asked.json()["decision_comment"] == "Which site?"
    rep = _api(client_for, cast.rep_a1)
    resubmitted = rep.post(
        f"{url}/submit/", {"version": asked.json()["version"]}, content_type=JSON
    )
    assert resubmitted.json()["status"] == "submitted"
    rejected = cm.post(
        f"{url}/reject/",
        {"version": resubmitted.json()["version"], "comment": "Direct account"},
        content_type=JSON,
    )
    assert rejected.json()["status"] == "rejected"


def test_it_creates_a_draft_for_the_keys_partner_ignoring_forged_fields(
    cast, acme, client_for, product
):
    rep = _api(client_for, cast.rep_b)
    response = rep.post(
        "/api/v1/deals/",
        {
            "customer_name": "Forged Fields AG",
            "partner": cast.partner_a.slug,
            "status": "approved",
            "lines": [{"vendor_sku": "API-SW", "quantity": 1}],
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    deal = Deal.objects.get(pk=response.json()["id"])
    assert (deal.partner, deal.registered_by, deal.status) == (
        cast.partner_b,
        cast.rep_b,
        "draft",
    )
    unknown = rep.post(
        "/api/v1/deals/",
        {"customer_name": "X", "lines": [{"vendor_sku": "NOPE", "quantity": 1}]},
        content_type=JSON,
    )
    assert unknown.status_code == 400
    assert "NOPE" in unknown.json()["detail"]


def test_it_acts_once_for_one_idempotency_key(cast, acme, client_for, product):
    rep = _api(client_for, cast.rep_a1)
    body = {
        "customer_name": "Idempotent Widgets",
        "lines": [{"vendor_sku": "API-SW", "quantity": 1}],
    }
    first = rep.post("/api/v1/deals/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="abc-1")
    second = rep.post("/api/v1/deals/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Deal.objects.filter(customer_name="Idempotent Widgets").count() == 1
    other = dict(body, customer_name="Something Else")
    reused = rep.post("/api/v1/deals/", other, content_type=JSON, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert reused.status_code == 422
    fresh = rep.post("/api/v1/deals/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="abc-2")
    assert fresh.status_code == 201
    assert Deal.objects.filter(customer_name="Idempotent Widgets").count() == 2


def test_it_throttles_per_key_with_retry_after(cast, acme, client_for, settings):
    settings.API_THROTTLE_RATE = 3
    settings.API_THROTTLE_WINDOW = 3600
    busy = _api(client_for, cast.rep_a1)
    calm = _api(client_for, cast.rep_a2)
    answers = [busy.get("/api/v1/products/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = busy.get("/api/v1/products/")
    assert refused.json()["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert calm.get("/api/v1/products/").status_code == 200, "another key has its own count"


def test_it_forgets_idempotency_keys_after_a_day(cast, acme, client_for, product):
    from datetime import timedelta

    from prm.api.models import IdempotentRequest
    from prm.api.tasks import forget_old_idempotency_keys

    rep = _api(client_for, cast.rep_a1)
    body = {"customer_name": "Day Old Key", "lines": [{"vendor_sku": "API-SW", "quantity": 1}]}
    rep.post("/api/v1/deals/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="old")
    rep.post("/api/v1/deals/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="new")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert forget_old_idempotency_keys() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["new"]
    again = rep.post("/api/v1/deals/", body, content_type=JSON, HTTP_IDEMPOTENCY_KEY="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Deal.objects.filter(customer_name="Day Old Key").count() == 3
