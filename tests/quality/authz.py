"""Expected answers of the channel-data-quality pages for every role.

Everything is about partner A: cm_b and partner B's admin are outsiders (404), reps never
see reports (403). POSTs carry no valid data, so allowed roles are sent back (302)
with a message and nothing changes.
"""

from tests.authz import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    Expect,
    answers,
    partner_a_object_for_staff,
    vendor_admin_only,
    vendor_staff_only,
)
from tests.reporting.authz import upload_of_partner_a

REDIRECT = 302


def partner_a(cast) -> dict:
    return {"pk": cast.partner_a.pk}


def of_partner_a(ok: int) -> dict:
    return answers(
        FORBIDDEN,
        vendor_admin=ok,
        cm_a=ok,
        cm_b=NOT_FOUND,
        partner_a_admin=ok,
        partner_b_admin=NOT_FOUND,
    )


EXPECTATIONS = {
    "quality:partner": Expect(of_partner_a(OK), kwargs=partner_a),
    "quality:nothing_sold": Expect(of_partner_a(REDIRECT), kwargs=partner_a, method="post"),
    "quality:cadence": Expect(partner_a_object_for_staff(), kwargs=partner_a),
    "quality:repeats": Expect(of_partner_a(REDIRECT), kwargs=upload_of_partner_a, method="post"),
}


def spelling_in_review(cast) -> dict:
    from reporting.quality.models import Customer, CustomerName, LinkStatus

    customer = Customer.objects.create(name="Authz Harbor Hotels", key="authz harbor hotels")
    spelling = CustomerName.objects.create(
        name="Authz Harbour Point Hotels",
        key="authz harbour hotels point",
        candidate=customer,
        score=80,
        status=LinkStatus.REVIEW,
    )
    return {"pk": spelling.pk}


EXPECTATIONS.update(
    {
        "quality:customer_review": Expect(vendor_staff_only()),
        "quality:programme_cadence": Expect(vendor_admin_only()),
        "quality:customer_decide": Expect(
            vendor_staff_only(REDIRECT), kwargs=spelling_in_review, method="post"
        ),
    }
)
