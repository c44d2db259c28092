"""The API on the demo data: a key acts as its user, with the user's scope, on its own host."""

import io

from django.core.management import call_command
from django_tenants.utils import schema_context

from deals.models import Deal
from tests.api.support import with_key


def _key(schema: str, email: str) -> str:
    out = io.StringIO()
    call_command("create_api_key", "--schema", schema, "--email", email, stdout=out)
    return out.getvalue()


def _deal_ids(client) -> list[int]:
    ids, url = [], "/api/v1/deals/?limit=2"  # small pages: the test walks `next` too
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [deal["id"] for deal in body["results"]]
        url = body["next"]
    return ids


def test_it_answers_each_demo_key_with_exactly_its_users_deals(cast, db, client_for):
    call_command("seed_demo", verbosity=0)
    cm1_key = _key("acme", "cm1@acme.example")
    northwind_key = _key("acme", "admin@northwind.example")
    globex_key = _key("globex", "admin@globex.example")
    assert cm1_key.count("\n") == 1 and cm1_key.startswith("prm_"), "one line: the key"

    with schema_context("acme"):
        by_partner = {
            slug: set(Deal.objects.filter(partner__slug=slug).values_list("pk", flat=True))
            for slug in ("northwind", "mueller", "saigon", "lonestar")
        }
    assert all(by_partner.values()), "every demo partner has deals, so scope is visible"

    acme = client_for(None, host="acme.localhost")
    cm1_ids = _deal_ids(with_key(acme, cm1_key.strip()))
    assert len(cm1_ids) == len(set(cm1_ids)), "no deal twice across pages"
    assert set(cm1_ids) == by_partner["northwind"] | by_partner["mueller"]

    northwind_ids = _deal_ids(
        with_key(client_for(None, host="acme.localhost"), northwind_key.strip())
    )
    assert set(northwind_ids) == by_partner["northwind"]

    foreign = with_key(client_for(None, host="acme.localhost"), globex_key.strip())
    response = foreign.get("/api/v1/deals/")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    # The same globex key works on its own host.
    home = with_key(client_for(None, host="globex.localhost"), globex_key.strip())
    assert home.get("/api/v1/deals/").status_code == 200
