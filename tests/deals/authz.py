"""Expected answers of the deal pages for every role (tests/test_authorization.py).

The deal used is a draft of partner A registered by rep_a1: cm_b and partner B's users are
outsiders (404), partner-only actions are 403 for vendor staff and vice versa. POSTs carry
no valid data: the point is who gets through, and nothing changes.
"""

from decimal import Decimal

from tests.authz import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    Expect,
    answers,
    logged_in,
    partner_users_only,
    vendor_staff_only,
)

REDIRECT = 302  # an accepted POST (even an invalid one) goes back to the deal page


def partner_a_draft(cast) -> dict:
    from deals import services
    from deals.models import Product

    product, _ = Product.objects.get_or_create(
        vendor_sku="AUTHZ-1", defaults={"name": "Authz product", "list_price": Decimal("10")}
    )
    deal = services.deal_create(
        user=cast.rep_a1,
        data=services.DealInput(customer_name="Authorization Test Customer"),
        lines=[services.LineInput(product_id=product.pk, quantity=1)],
    )
    return {"pk": deal.pk}


# Who may open a deal of partner A: its CM, the vendor admin, its admin and its rep.
DEAL_OF_PARTNER_A = answers(NOT_FOUND, vendor_admin=OK, cm_a=OK, partner_a_admin=OK, rep_a1=OK)


def partner_a_action(ok: int) -> dict:
    return answers(
        FORBIDDEN, partner_a_admin=ok, rep_a1=ok, partner_b_admin=NOT_FOUND, rep_b=NOT_FOUND
    )


def staff_action_on_partner_a(ok: int) -> dict:
    return vendor_staff_only(ok, cm_b=NOT_FOUND)


EXPECTATIONS = {
    "deals:list": Expect(logged_in(OK)),
    "deals:export": Expect(logged_in(OK), kwargs=lambda cast: {"fmt": "csv"}),
    "deals:create": Expect(partner_users_only()),
    "deals:review_queue": Expect(vendor_staff_only()),
    "deals:bulk_approve": Expect(vendor_staff_only(REDIRECT), method="post"),
    "deals:notifications": Expect(logged_in(OK)),
    "deals:detail": Expect(DEAL_OF_PARTNER_A, kwargs=partner_a_draft),
    "deals:edit": Expect(partner_a_action(OK), kwargs=partner_a_draft),
    "deals:submit": Expect(partner_a_action(REDIRECT), kwargs=partner_a_draft, method="post"),
    "deals:close": Expect(partner_a_action(REDIRECT), kwargs=partner_a_draft, method="post"),
    "deals:request_extension": Expect(
        partner_a_action(REDIRECT), kwargs=partner_a_draft, method="post"
    ),
    "deals:decide": Expect(
        staff_action_on_partner_a(REDIRECT), kwargs=partner_a_draft, method="post"
    ),
    "deals:decide_extension": Expect(
        staff_action_on_partner_a(REDIRECT), kwargs=partner_a_draft, method="post"
    ),
    "deals:check_conflicts": Expect(
        staff_action_on_partner_a(REDIRECT), kwargs=partner_a_draft, method="post"
    ),
}
