"""A deal's lines are priced in the deal's currency: price books, else the catalogue price
converted at the rates of the registration date, rounded to the currency's minor unit.

Expected prices are computed here from the catalogue prices and the rates the tests write
(tests/deals/conftest.py: USD catalogue, 1 EUR = 1.10 USD), never read back from the app.
"""

import importlib
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from deals import services
from deals.models import Deal, DealEvent, DealLine, PriceBook, PriceBookEntry
from partners.models import Partner, Tier
from prm.accounts.models import User
from reporting.analytics.models import ExchangeRate
from tests.deals.conftest import EUR_IN_USD

VND_IN_USD = Decimal("0.0000395")


def whole(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1), ROUND_HALF_UP)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


def fresh(user, **partner_changes):
    """``user`` read again after changing their partner in the database (the cast's
    objects stay as they are: the test's transaction rolls the change back)."""
    Partner.objects.filter(memberships__user=user).update(**partner_changes)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def saigon(cast, acme, catalogue):
    """rep_a1 of partner_a as a Vietnamese partner quoting in dong; acme's VND rate."""
    ExchangeRate.objects.create(
        currency="VND", quote_currency="USD", rate=VND_IN_USD, valid_from=date(2020, 1, 1)
    )
    return fresh(cast.rep_a1, currency="VND")


def _create(user, catalogue, quantities, **prices):
    return services.deal_create(
        user=user,
        data=services.DealInput(customer_name="Minh Phat Co"),
        lines=[
            services.LineInput(
                product_id=catalogue[sku].pk, quantity=quantity, unit_price=prices.get(sku)
            )
            for sku, quantity in quantities.items()
        ],
    )


def test_it_prices_a_dong_deal_in_whole_dong_converted_from_the_usd_list(saigon, catalogue):
    deal = _create(saigon, catalogue, {"SW-24": 6, "AP-7": 12})

    switch = whole(Decimal("1200.00") / VND_IN_USD)  # 30,379,747 VND
    access_point = whole(Decimal("450.00") / VND_IN_USD)
    lines = {line.product.vendor_sku: line for line in deal.lines.all()}
    assert lines["SW-24"].unit_price == lines["SW-24"].list_price == switch
    assert lines["AP-7"].unit_price == access_point
    assert deal.currency == "VND"
    assert deal.expected_value == 6 * switch + 12 * access_point
    # About what the USD list says: 6 x 1200 + 12 x 450 = 12,600 USD.
    assert abs(deal.expected_value * VND_IN_USD - Decimal("12600")) < 1


def test_it_prices_a_euro_deal_in_cents_converted_from_the_usd_list(cast, acme, register):
    deal = register(cast.rep_b, skus=("SW-24", "AP-7"), submit=False)  # 2 of each

    switch, access_point = cents(Decimal("1200") / EUR_IN_USD), cents(Decimal("450") / EUR_IN_USD)
    assert deal.currency == "EUR"
    assert [line.unit_price for line in deal.lines.order_by("product__vendor_sku")] == [
        access_point,
        switch,
    ]
    assert deal.expected_value == 2 * switch + 2 * access_point


def test_it_keeps_a_usd_partners_prices_as_listed(cast, acme, register):
    deal = register(cast.rep_a1, skus=("SW-24",), submit=False)

    assert deal.currency == "USD"
    assert deal.expected_value == 2 * Decimal("1200.00")


def test_it_uses_the_rate_valid_on_the_registration_date(cast, acme, catalogue):
    today = timezone.localdate()
    ExchangeRate.objects.create(
        currency="EUR", quote_currency="USD", rate=Decimal("1.20"), valid_from=today
    )
    ExchangeRate.objects.create(
        currency="EUR",
        quote_currency="USD",
        rate=Decimal("2.00"),
        valid_from=today + timedelta(days=1),
    )

    deal = _create(cast.rep_b, catalogue, {"SW-24": 1})

    assert deal.expected_value == Decimal("1000.00")  # 1200 / 1.20, today's rate


def test_it_takes_the_price_book_of_the_deals_currency_before_converting(cast, acme, catalogue):
    today = timezone.localdate()
    every_tier = PriceBook.objects.create(
        name="Euro list", currency="EUR", valid_from=today - timedelta(days=30)
    )
    PriceBookEntry.objects.create(price_book=every_tier, product=catalogue["SW-24"], price=999)
    expired = PriceBook.objects.create(
        name="Old euro list",
        currency="EUR",
        valid_from=today - timedelta(days=400),
        valid_until=today - timedelta(days=1),
    )
    PriceBookEntry.objects.create(price_book=expired, product=catalogue["AP-7"], price=1)
    dong = PriceBook.objects.create(name="Dong list", currency="VND", valid_from=date(2020, 1, 1))
    PriceBookEntry.objects.create(price_book=dong, product=catalogue["AP-7"], price=2)

    deal = _create(cast.rep_b, catalogue, {"SW-24": 1, "AP-7": 1})

    lines = {line.product.vendor_sku: line.unit_price for line in deal.lines.all()}
    assert lines == {"SW-24": Decimal("999.00"), "AP-7": cents(Decimal("450") / EUR_IN_USD)}


def test_it_prefers_the_partners_tier_book_to_the_book_for_every_tier(cast, acme, catalogue):
    gold = Tier.objects.create(name="Gold", rank=3)
    rep = fresh(cast.rep_b, tier=gold)
    for name, tier, price in (("All tiers", None, 900), ("Gold", gold, 800)):
        book = PriceBook.objects.create(
            name=name, currency="EUR", tier=tier, valid_from=date(2020, 1, 1)
        )
        PriceBookEntry.objects.create(price_book=book, product=catalogue["SW-24"], price=price)

    deal = _create(rep, catalogue, {"SW-24": 1})

    assert deal.expected_value == Decimal("800.00")


def test_it_keeps_the_partners_own_price_and_shows_the_list_price_beside_it(
    cast, saigon, catalogue, client_for
):
    deal = _create(saigon, catalogue, {"SW-24": 2}, **{"SW-24": Decimal("29000000.4")})

    line = deal.lines.get()
    assert line.unit_price == Decimal("29000000")  # whole dong
    assert line.list_price == whole(Decimal("1200") / VND_IN_USD)
    assert deal.expected_value == 2 * Decimal("29000000")
    page = client_for(cast.rep_a1).get(f"/deals/{deal.pk}/").content.decode()
    assert "30,379,747 VND" in page and "29,000,000 VND" in page and "58,000,000 VND" in page


def test_it_refuses_a_line_with_no_price_in_the_deals_currency(cast, acme, catalogue):
    rep = fresh(cast.rep_a1, currency="JPY")  # acme has no yen rate

    with pytest.raises(ValidationError, match="no list price in JPY"):
        _create(rep, catalogue, {"SW-24": 1})
    deal = _create(rep, catalogue, {"SW-24": 1}, **{"SW-24": Decimal("180000")})
    assert deal.expected_value == Decimal("180000") and deal.currency == "JPY"


def test_it_shows_list_prices_in_the_partners_currency_on_the_form(
    cast, saigon, catalogue, client_for
):
    page = client_for(cast.rep_a1).get("/deals/new/").content.decode()

    assert "30,379,747 VND" in page  # the switch, 1200 USD
    assert "1,200.00" not in page


def test_it_registers_a_quoted_price_from_the_form(cast, saigon, catalogue, client_for):
    client_for(cast.rep_a1).post(
        "/deals/new/",
        {
            "customer_name": "Minh Phat Co",
            "lines-TOTAL_FORMS": "5",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": catalogue["SW-24"].vendor_sku,
            "lines-0-quantity": "3",
            "lines-0-unit_price": "28000000",
            "lines-1-product": catalogue["AP-7"].vendor_sku,
            "lines-1-quantity": "1",
        },
    )

    deal = Deal.objects.get(customer_name="Minh Phat Co")
    assert deal.expected_value == 3 * Decimal("28000000") + whole(Decimal("450") / VND_IN_USD)


def test_it_shows_staff_the_value_in_the_reporting_currency_and_partners_not(
    cast, saigon, catalogue, client_for
):
    deal = _create(saigon, catalogue, {"SW-24": 6})
    usd = cents(6 * whole(Decimal("1200") / VND_IN_USD) * VND_IN_USD)  # 7,200.00

    staff_detail = client_for(cast.cm_a).get(f"/deals/{deal.pk}/").content.decode()
    staff_list = client_for(cast.cm_a).get("/deals/").content.decode()
    partner_detail = client_for(cast.rep_a1).get(f"/deals/{deal.pk}/").content.decode()
    partner_list = client_for(cast.rep_a1).get("/deals/").content.decode()

    assert f"{usd:,.2f} USD" in staff_detail and f"{usd:,.2f} USD" in staff_list
    assert "182,278,482 VND" in staff_list and "182,278,482 VND" in partner_list
    assert "USD" not in partner_detail and "USD" not in partner_list


def test_it_rounds_the_final_amount_to_the_deals_currency(cast, saigon, catalogue):
    deal = _create(saigon, catalogue, {"SW-24": 1})
    deal = services.deal_submit(user=saigon, deal_id=deal.pk, expected_version=deal.version)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)

    deal = services.deal_close_won(
        user=saigon,
        deal_id=deal.pk,
        expected_version=deal.version,
        final_amount=Decimal("30000000.49"),
        closed_on=timezone.localdate(),
    )

    assert deal.final_amount == Decimal("30000000")
    assert deal.events.last().comment == "30,000,000 VND"


# --- The repair of deals registered before pricing existed ---------------------------------

repair = importlib.import_module("deals.migrations.0009_repair_copied_list_prices").repair


def _copied(cast, catalogue, quantities, *, overridden=False):
    """A deal as the old code stored it: USD list prices labelled with the deal's VND."""
    deal = Deal(
        partner_id=cast.partner_a.pk,
        registered_by=cast.rep_a1,
        customer_name="Old Copy Ltd",
        currency="VND",
        expected_value=Decimal("777") if overridden else Decimal(0),
        value_overridden=overridden,
    )
    deal.refresh_matching_keys()
    deal.save()
    for sku, quantity in quantities.items():
        DealLine.objects.create(
            deal=deal,
            product=catalogue[sku],
            quantity=quantity,
            unit_price=catalogue[sku].list_price,
        )
    if not overridden:
        deal.expected_value = sum(
            catalogue[sku].list_price * quantity for sku, quantity in quantities.items()
        )
        deal.save(update_fields=["expected_value"])
    return deal


def test_it_repairs_copied_list_prices_and_records_it_in_the_history(cast, saigon, catalogue):
    deal = _copied(cast, catalogue, {"SW-24": 6, "AP-7": 12})
    assert deal.expected_value == Decimal("12600.00")  # the bug: USD figures labelled VND

    repair(apps, None)

    deal.refresh_from_db()
    switch, access_point = (whole(Decimal(p) / VND_IN_USD) for p in ("1200", "450"))
    assert deal.expected_value == 6 * switch + 12 * access_point
    assert deal.version == 2
    event = DealEvent.objects.get(deal=deal, kind="repriced")
    assert event.actor is None
    assert "SW-24: 1,200 VND → 30,379,747 VND" in event.comment

    repair(apps, None)  # running it again changes nothing
    assert DealEvent.objects.filter(deal=deal, kind="repriced").count() == 1
    deal.refresh_from_db()
    assert deal.expected_value == 6 * switch + 12 * access_point


def test_it_repairs_lines_but_keeps_a_value_entered_by_hand(cast, saigon, catalogue):
    deal = _copied(cast, catalogue, {"SW-24": 1}, overridden=True)

    repair(apps, None)

    deal.refresh_from_db()
    assert deal.expected_value == Decimal("777")
    assert deal.lines.get().unit_price == whole(Decimal("1200") / VND_IN_USD)


def test_it_shows_the_quoted_price_and_the_list_price_when_editing_a_draft(
    saigon, catalogue, client_for
):
    deal = _create(saigon, catalogue, {"SW-24": 2, "AP-7": 1}, **{"SW-24": Decimal("29000000")})

    page = client_for(saigon).get(f"/deals/{deal.pk}/edit/").content.decode()

    assert 'name="lines-0-unit_price" value="29000000' in page  # the partner's own price
    assert 'name="lines-1-unit_price"' in page and 'name="lines-1-unit_price" value' not in page
    assert "30,379,747 VND" in page and "11,392,405 VND" in page  # the list prices beside
