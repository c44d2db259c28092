"""Expected answers of every REST API operation for every role (tests/test_authorization.py).

Requests carry the role's API key; no key and globex's key on acme's host answer 401.
Bodies are valid, so the answer shows who gets through: decisions send version 0, which
every user allowed to act gets as 409 (the deal changed) without anything changing.
"""

import uuid
from decimal import Decimal

from tests.authz import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    Expect,
    answers,
    api_answers,
    everyone,
    logged_in,
)

CREATED = 201
ACCEPTED = 202
CONFLICT = 409
JSON = "application/json"


def partner_a_draft(cast) -> dict:
    from tests.deals.authz import partner_a_draft as draft

    return {"deal_id": draft(cast)["pk"]}


def partner_a_slug(cast) -> dict:
    return {"slug": cast.partner_a.slug}


def upload_of_partner_a(cast) -> dict:
    from tests.reporting.authz import upload_of_partner_a as upload

    return {"upload_id": upload(cast)["pk"]}


def queued_upload_of_partner_a(cast) -> dict:
    from tests.reporting.authz import queued_upload_of_partner_a as upload

    return {"upload_id": upload(cast)["pk"]}


def new_partner(cast) -> dict:
    return {"name": "API Partner", "slug": f"api-{uuid.uuid4().hex[:8]}", "country": "US"}


def new_deal(cast) -> dict:
    from deals.models import Product

    Product.objects.get_or_create(
        vendor_sku="AUTHZ-1", defaults={"name": "Authz product", "list_price": Decimal("10")}
    )
    # A quoted price: partner B sells in EUR and the matrix has no exchange rate to
    # convert the USD list price with; the matrix is about who may post, not pricing.
    line = {"vendor_sku": "AUTHZ-1", "quantity": 1, "unit_price": "10.00"}
    return {"customer_name": "API Customer", "lines": [line]}


def report_file(cast) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    row = f"INV-{uuid.uuid4().hex[:8]},2026-09-01,AUTHZ-1,1,10.00\n"  # new bytes each time
    content = ("Invoice,Date,SKU,Qty,Price\n" + row).encode()
    return {
        "file": SimpleUploadedFile("report.csv", content, content_type="text/csv"),
        "partner": cast.partner_a.slug,
    }


STAFF = api_answers(FORBIDDEN, vendor_admin=OK, cm_a=OK, cm_b=OK)
ADMIN_ONLY_CREATES = api_answers(FORBIDDEN, vendor_admin=CREATED)
NO_CONTENT = 204
REPORT_READERS = api_answers(
    FORBIDDEN, vendor_admin=OK, cm_a=OK, cm_b=OK, partner_a_admin=OK, partner_b_admin=OK
)
PARTNER_USERS_CREATE = api_answers(
    FORBIDDEN, partner_a_admin=CREATED, rep_a1=CREATED, partner_b_admin=CREATED, rep_b=CREATED
)
DEAL_OF_PARTNER_A = api_answers(NOT_FOUND, vendor_admin=OK, cm_a=OK, partner_a_admin=OK, rep_a1=OK)
# Decisions on partner A's draft (version 0): staff in scope get through (409, stale
# version), cm_b does not see it (404), partner users may not decide (403).
DECIDE_ON_PARTNER_A = api_answers(FORBIDDEN, vendor_admin=CONFLICT, cm_a=CONFLICT, cm_b=NOT_FOUND)
SUBMIT_PARTNER_A = api_answers(
    FORBIDDEN,
    partner_a_admin=CONFLICT,
    rep_a1=CONFLICT,
    partner_b_admin=NOT_FOUND,
    rep_b=NOT_FOUND,
)


def key_of_rep_a1(cast) -> dict:
    from prm.accounts.services import api_key_create

    return {"pk": api_key_create(user=cast.rep_a1, name="authz")[0].pk}


def an_endpoint(cast) -> dict:
    from prm.webhooks.services import endpoint_create

    endpoint = endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/hook", events=["deal.approved"]
    )
    return {"endpoint_id": endpoint.pk}


def endpoint_page(cast) -> dict:
    return {"pk": an_endpoint(cast)["endpoint_id"]}


def a_delivery(cast) -> dict:
    from prm.webhooks.services import emit

    an_endpoint(cast)
    return {"pk": emit("deal.approved", {"id": 1})[0].pk}


def decision(comment: str = "Checked by the authorization test"):
    return lambda cast: {"version": 0, "comment": comment}


EXPECTATIONS = {
    # The settings page of one's own keys; revoking: the owner or a vendor admin (302 back
    # to the page), anyone else does not see the key (404).
    "api_keys": Expect(logged_in(OK)),
    # Webhook pages: vendor admins only. A CM gets a 403 page naming the admins to ask
    # (tests/api/test_webhook_pages.py), partner users a plain 403.
    "webhooks:list": (
        Expect(answers(FORBIDDEN, vendor_admin=OK)),
        Expect(
            answers(FORBIDDEN, vendor_admin=OK),
            method="post",
            data=lambda cast: {"url": "http://127.0.0.1:9/hook", "events": ["deal.approved"]},
        ),
    ),
    "webhooks:endpoint": Expect(answers(FORBIDDEN, vendor_admin=OK), kwargs=endpoint_page),
    "webhooks:delete": Expect(
        answers(FORBIDDEN, vendor_admin=302), kwargs=endpoint_page, method="post"
    ),
    # Rotating the signing secret: vendor admins, with the confirmation ticked (200: the
    # page shows the new secret once); a CM gets the ask-an-admin 403, others 403.
    "webhooks:rotate_secret": Expect(
        answers(FORBIDDEN, vendor_admin=OK),
        kwargs=endpoint_page,
        method="post",
        data=lambda cast: {"confirm": "on"},
    ),
    "webhooks:send_again": Expect(
        answers(FORBIDDEN, vendor_admin=302), kwargs=a_delivery, method="post"
    ),
    "api_key_revoke": Expect(
        answers(NOT_FOUND, vendor_admin=302, rep_a1=302), kwargs=key_of_rep_a1, method="post"
    ),
    # The schema and the docs page describe the API; they show no one's data.
    "api:openapi-json": Expect(everyone(OK)),
    "api:openapi-view": Expect(everyone(OK)),
    "api:api-root": Expect(everyone(NOT_FOUND)),  # nothing at /api/v1/ itself
    "api:partners": (
        Expect(STAFF),
        Expect(ADMIN_ONLY_CREATES, method="post", data=new_partner, content_type=JSON),
    ),
    "api:partner": (
        Expect(
            api_answers(FORBIDDEN, vendor_admin=OK, cm_a=OK, cm_b=NOT_FOUND), kwargs=partner_a_slug
        ),
        Expect(
            api_answers(FORBIDDEN, vendor_admin=OK, cm_b=NOT_FOUND),
            kwargs=partner_a_slug,
            method="patch",
            data=lambda cast: {"country": "US"},
            content_type=JSON,
        ),
    ),
    "api:deals": (
        Expect(api_answers(OK)),
        Expect(PARTNER_USERS_CREATE, method="post", data=new_deal, content_type=JSON),
    ),
    "api:deal": Expect(DEAL_OF_PARTNER_A, kwargs=partner_a_draft),
    "api:deal_submit": Expect(
        SUBMIT_PARTNER_A,
        kwargs=partner_a_draft,
        method="post",
        data=lambda cast: {"version": 0},
        content_type=JSON,
    ),
    "api:deal_approve": Expect(
        DECIDE_ON_PARTNER_A,
        kwargs=partner_a_draft,
        method="post",
        data=decision(),
        content_type=JSON,
    ),
    "api:deal_reject": Expect(
        DECIDE_ON_PARTNER_A,
        kwargs=partner_a_draft,
        method="post",
        data=decision(),
        content_type=JSON,
    ),
    "api:deal_request_info": Expect(
        DECIDE_ON_PARTNER_A,
        kwargs=partner_a_draft,
        method="post",
        data=decision(),
        content_type=JSON,
    ),
    "api:products": (
        Expect(api_answers(OK)),
        Expect(
            ADMIN_ONLY_CREATES,
            method="post",
            data=lambda cast: {"vendor_sku": "API-NEW-1", "name": "New", "list_price": "5.00"},
            content_type=JSON,
        ),
    ),
    "api:uploads": (
        Expect(REPORT_READERS),
        Expect(
            api_answers(
                FORBIDDEN,
                vendor_admin=ACCEPTED,
                cm_a=ACCEPTED,
                cm_b=NOT_FOUND,  # partner A is not in cm_b's scope
                partner_a_admin=ACCEPTED,
                partner_b_admin=ACCEPTED,  # for their own partner: the slug sent is ignored
            ),
            method="post",
            data=report_file,
        ),
    ),
    "api:upload": (
        Expect(
            api_answers(
                FORBIDDEN,
                vendor_admin=OK,
                cm_a=OK,
                cm_b=NOT_FOUND,
                partner_a_admin=OK,
                partner_b_admin=NOT_FOUND,
            ),
            kwargs=upload_of_partner_a,
        ),
        # Waiting for the worker: everyone allowed to withdraw it is told to wait (409),
        # so the one upload stays for every role.
        Expect(
            api_answers(
                FORBIDDEN,
                vendor_admin=CONFLICT,
                cm_a=CONFLICT,
                cm_b=NOT_FOUND,
                partner_a_admin=CONFLICT,
                partner_b_admin=NOT_FOUND,
            ),
            kwargs=queued_upload_of_partner_a,
            method="delete",
        ),
    ),
    "api:sales_lines": Expect(REPORT_READERS),
    "api:webhooks": (
        Expect(api_answers(FORBIDDEN, vendor_admin=OK)),
        Expect(
            ADMIN_ONLY_CREATES,
            method="post",
            data=lambda cast: {"url": "http://127.0.0.1:9/hook", "events": ["deal.approved"]},
            content_type=JSON,
        ),
    ),
    "api:webhook": (
        Expect(api_answers(FORBIDDEN, vendor_admin=OK), kwargs=an_endpoint),
        Expect(
            api_answers(FORBIDDEN, vendor_admin=NO_CONTENT), kwargs=an_endpoint, method="delete"
        ),
    ),
    "api:webhook_rotate_secret": Expect(
        api_answers(FORBIDDEN, vendor_admin=OK),
        kwargs=an_endpoint,
        method="post",
        content_type=JSON,
    ),
}
