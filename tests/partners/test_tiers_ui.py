"""The vendor's tier pages: vendor admins define the programme's tiers, CMs read them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_tenants.utils import schema_context

from partners import services
from partners.models import Partner, Tier
from tests.partners.helpers import make_partner, make_tiers, queries_for

LIST = "/partners/tiers/"
NEW = "/partners/tiers/new/"


def edit_url(tier: Tier) -> str:
    return f"/partners/tiers/{tier.pk}/"


def delete_url(tier: Tier) -> str:
    return f"/partners/tiers/{tier.pk}/delete/"


def tier_data(**overrides) -> dict:
    data = {
        "name": "Platinum",
        "rank": 4,
        "min_yearly_sales": "1000000",
        "min_certified_reps": "6",
        "discount_percent": "25",
        "benefits": "Demo kit",
    }
    return {**data, **overrides}


def test_it_lists_tiers_in_rank_order_with_their_partner_counts(cast, acme, client_for):
    registered, silver, gold = make_tiers()
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=silver)
    Partner.objects.filter(pk=cast.partner_b.pk).update(tier=silver)
    response = client_for(cast.vendor_admin).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("Registered") < page.index("Silver") < page.index("Gold")
    assert [t.partner_count for t in response.context["tiers"]] == [0, 2, 0]
    assert f'href="{edit_url(silver)}"' in page and f'href="{NEW}"' in page


def test_it_shows_a_cm_the_tiers_read_only_counting_their_own_partners(cast, acme, client_for):
    _registered, silver, _gold = make_tiers()
    Partner.objects.filter(pk__in=[cast.partner_a.pk, cast.partner_b.pk]).update(tier=silver)
    response = client_for(cast.cm_a).get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert [t.partner_count for t in response.context["tiers"]] == [0, 1, 0]
    assert edit_url(silver) not in page and NEW not in page


def test_it_keeps_the_list_query_count_flat(cast, acme, client_for):
    client = client_for(cast.vendor_admin)
    make_tiers()
    few = queries_for(client, LIST)
    for n in range(10):
        tier = Tier.objects.create(name=f"Extra {n}", rank=10 + n)
        make_partner(tier=tier)
    assert queries_for(client, LIST) == few


def test_it_links_vendor_admins_to_the_tiers_page(cast, acme, client_for):
    assert f'href="{LIST}"' in client_for(cast.vendor_admin).get("/partners/").content.decode()
    assert f'href="{LIST}"' not in client_for(cast.cm_a).get("/partners/").content.decode()


def test_it_lets_a_vendor_admin_create_a_tier(cast, acme, client_for):
    client = client_for(cast.vendor_admin)
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, tier_data())
    assert response.status_code == 302 and response["Location"] == LIST
    tier = Tier.objects.get(name="Platinum")
    assert (tier.rank, tier.min_certified_reps, tier.benefits) == (4, 6, "Demo kit")
    assert tier.min_yearly_sales == 1_000_000 and tier.discount_percent == 25
    assert "Tier Platinum saved." in client.get(LIST).content.decode()


def test_it_lets_a_vendor_admin_edit_a_tier(cast, acme, client_for):
    _registered, silver, _gold = make_tiers()
    client = client_for(cast.vendor_admin)
    assert 'value="Silver"' in client.get(edit_url(silver)).content.decode()
    response = client.post(edit_url(silver), tier_data(name="Silver Plus", rank=2))
    assert response.status_code == 302
    silver.refresh_from_db()
    assert (silver.name, silver.rank, silver.discount_percent) == ("Silver Plus", 2, 25)


def test_it_lets_a_vendor_admin_delete_an_empty_tier(cast, acme, client_for):
    _registered, _silver, gold = make_tiers()
    response = client_for(cast.vendor_admin).post(delete_url(gold))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Tier.objects.filter(pk=gold.pk).exists()


def test_it_refuses_to_delete_a_tier_partners_are_in(cast, acme, client_for):
    _registered, silver, _gold = make_tiers()
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=silver)
    client = client_for(cast.vendor_admin)
    response = client.post(delete_url(silver), follow=True)
    page = response.content.decode()
    assert "1 partner is in Silver. Move it to another tier first." in page
    assert Tier.objects.filter(pk=silver.pk).exists()
    assert Partner.objects.get(pk=cast.partner_a.pk).tier_id == silver.pk


@pytest.mark.parametrize("who", ["cm_a", "partner_a_admin", "rep_a1"])
def test_it_refuses_writes_by_anyone_but_a_vendor_admin(cast, acme, client_for, who):
    _registered, silver, gold = make_tiers()
    client = client_for(getattr(cast, who))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, tier_data()).status_code == 403
    assert client.get(edit_url(silver)).status_code == 403
    assert client.post(edit_url(silver), tier_data(name="Hacked", rank=2)).status_code == 403
    assert client.post(delete_url(gold)).status_code == 403
    assert not Tier.objects.filter(name__in=["Platinum", "Hacked"]).exists()
    assert Tier.objects.filter(pk=gold.pk).exists()
    expected_list = 200 if who == "cm_a" else 403
    assert client.get(LIST).status_code == expected_list


def test_it_refuses_writes_in_the_service_too(cast, acme):
    _registered, silver, _gold = make_tiers()
    with pytest.raises(PermissionDenied):
        services.tier_create(user=cast.cm_a, **tier_data())
    with pytest.raises(PermissionDenied):
        services.tier_update(tier=silver, user=cast.partner_a_admin, name="Hacked")
    with pytest.raises(PermissionDenied):
        services.tier_delete(tier=silver, user=cast.rep_a1)


@pytest.mark.parametrize(
    ("forged", "field", "message"),
    [
        ({"name": "silver"}, "name", "Another tier is already called silver."),
        ({"name": "   "}, "name", "This field is required."),
        ({"rank": "2"}, "rank", "Silver already has rank 2. Each tier needs its own rank."),
        ({"rank": "-1"}, "rank", "greater than or equal to 0"),
        ({"rank": "99999"}, "rank", "less than or equal to 32767"),
        ({"rank": "gold"}, "rank", "Enter a whole number."),
        ({"discount_percent": "150"}, "discount_percent", "less than or equal to 100"),
        ({"min_yearly_sales": "-5"}, "min_yearly_sales", "greater than or equal to 0"),
    ],
)
def test_it_explains_a_forged_name_or_rank_next_to_the_field(
    cast, acme, client_for, forged, field, message
):
    make_tiers()
    response = client_for(cast.vendor_admin).post(NEW, tier_data(**forged))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert message.replace("&", "&amp;") in response.content.decode()
    assert not Tier.objects.filter(rank=4).exists() and Tier.objects.count() == 3


def test_it_explains_a_clash_when_editing_a_tier(cast, acme, client_for):
    registered, silver, _gold = make_tiers()
    response = client_for(cast.vendor_admin).post(
        edit_url(silver), tier_data(name="Registered", rank=registered.rank)
    )
    errors = response.context["form"].errors
    assert "Another tier is already called Registered." in errors["name"][0]
    assert "Registered already has rank 1." in errors["rank"][0]
    silver.refresh_from_db()
    assert (silver.name, silver.rank) == ("Silver", 2)


def test_it_keeps_a_tiers_own_name_and_rank_when_editing(cast, acme):
    _registered, silver, _gold = make_tiers()
    services.tier_update(tier=silver, user=cast.vendor_admin, discount_percent=12)
    silver.refresh_from_db()
    assert (silver.name, silver.rank, silver.discount_percent) == ("Silver", 2, 12)
    with pytest.raises(ValidationError):
        services.tier_update(tier=silver, user=cast.vendor_admin, rank=1)


def test_it_answers_404_for_the_other_tenants_tier(cast, acme, client_for):
    with schema_context("globex"):
        foreign = Tier.objects.create(name="Globex Elite", rank=7)
    assert not Tier.objects.filter(pk=foreign.pk).exists()  # ids are per schema
    client = client_for(cast.vendor_admin)
    assert client.get(edit_url(foreign)).status_code == 404
    assert client.post(edit_url(foreign), tier_data()).status_code == 404
    assert client.post(delete_url(foreign)).status_code == 404
    with schema_context("globex"):
        assert Tier.objects.get(pk=foreign.pk).name == "Globex Elite"


def test_it_answers_404_for_an_unknown_tier(cast, acme, client_for):
    assert client_for(cast.vendor_admin).get("/partners/tiers/999999/").status_code == 404


def test_it_shows_the_tier_pages_in_vietnamese(cast, acme, client_for):
    make_tiers()
    client = client_for(cast.vendor_admin)
    client.post("/i18n/setlang/", {"language": "vi", "next": LIST})
    page = client.get(LIST).content.decode()
    assert "Các hạng của chương trình" in page and "Chiết khấu %<" in page
    page = client.post(NEW, tier_data(name="Silver")).content.decode()
    assert "Đã có một hạng khác tên Silver." in page
