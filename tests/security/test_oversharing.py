"""What one person of a partner may see of the partner's business: sales figures are for
partner admins, and other partners' registrations show in no partner's deal history."""

import re
from datetime import date, timedelta
from decimal import Decimal

from deals import services as deal_services
from deals.models import DealEvent, Product
from partners.models import Partner, Tier


def test_it_shows_yearly_sales_to_partner_admins_only(cast, acme, client_for):
    registered = Tier.objects.create(name="Registered", rank=1, discount_percent=5)
    silver = Tier.objects.create(
        name="Silver", rank=2, min_yearly_sales=100_000, min_certified_reps=2, discount_percent=10
    )
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=registered)
    admin_page = client_for(cast.partner_a_admin).get("/portal/").content.decode()
    rep_page = client_for(cast.rep_a1).get("/portal/").content.decode()
    assert "Yearly sales" in admin_page
    assert "Yearly sales" not in rep_page
    # The rep still sees where the partnership is heading.
    assert f"Next tier: {silver.name}" in rep_page and "Certified reps" in rep_page


def _register(user, customer, product):
    deal = deal_services.deal_create(
        user=user,
        data=deal_services.DealInput(
            customer_name=customer,
            customer_domain="blue-harbor.com",
            customer_country="US",
            contact_name="Dana Buyer",
            expected_close_date=date.today() + timedelta(days=60),
        ),
        lines=[
            deal_services.LineInput(product_id=product.pk, quantity=2, unit_price=Decimal("90"))
        ],
    )
    return deal_services.deal_submit(user=user, deal_id=deal.pk, expected_version=deal.version)


def test_it_keeps_the_rival_count_out_of_the_history_partners_read(cast, acme, client_for):
    product = Product.objects.create(vendor_sku="OS-1", name="Switch", list_price=Decimal("100"))
    ours = _register(cast.rep_a1, "Blue Harbor Logistics Inc.", product)
    _register(cast.rep_b, "Blue Harbour Logistics GmbH", product)
    _register(cast.partner_b_admin, "Blue Harbor Logistics", product)

    client_for(cast.cm_a).post(f"/deals/{ours.pk}/conflicts/check/")

    checked = DealEvent.objects.get(deal=ours, kind=DealEvent.Kind.CONFLICTS_CHECKED)
    assert checked.comment == ""
    page = client_for(cast.rep_a1).get(f"/deals/{ours.pk}/").content.decode()
    history = page[page.index('data-testid="history"') :]
    row = history[history.index("Conflicts checked") :].split("</tr>")[0]
    comment = re.findall(r"<td>(.*?)</td>", row, re.S)[-1]
    assert comment.strip() == ""


def test_it_hides_counts_recorded_before_from_partner_users(cast, acme, client_for):
    product = Product.objects.create(vendor_sku="OS-2", name="Switch", list_price=Decimal("100"))
    ours = _register(cast.rep_a1, "Old Count Customer", product)
    DealEvent.objects.create(
        deal=ours, actor=cast.cm_a, kind=DealEvent.Kind.CONFLICTS_CHECKED, comment="731"
    )
    assert "731" not in client_for(cast.rep_a1).get(f"/deals/{ours.pk}/").content.decode()
    assert "731" in client_for(cast.cm_a).get(f"/deals/{ours.pk}/").content.decode()
