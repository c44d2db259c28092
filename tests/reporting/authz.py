"""Expected answers of the report pages for every role (tests/test_authorization.py).

The upload used belongs to partner A and waits for its columns to be confirmed: cm_b and
partner B's admin are outsiders (404), reps never see reports (403). POSTs carry no data
that changes anything: re-processing an unmapped upload is refused with a message, and a
delete or a withdrawal without its confirmation field does nothing.
"""

import uuid

from tests.authz import FORBIDDEN, NOT_FOUND, OK, Expect, answers, vendor_staff_only

REDIRECT = 302


def upload_of_partner_a(cast) -> dict:
    from django.core.files.base import ContentFile

    from reporting.models import Upload, UploadStatus

    upload = Upload(
        partner=cast.partner_a,
        uploaded_by=cast.partner_a_admin,
        original_name="authz.csv",
        size=10,
        sha256=uuid.uuid4().hex * 2,  # pages are opened several times in one test
        status=UploadStatus.NEEDS_MAPPING,
        file_info={"headers": ["Invoice", "Date"], "sample_rows": [["A-1", "2026-09-01"]]},
        proposal={"columns": [], "reasons": []},
    )
    upload.file.save("authz.csv", ContentFile(b"Invoice,Date\nA-1,2026-09-01\n"), save=False)
    upload.save()
    return {"pk": upload.pk}


def queued_upload_of_partner_a(cast) -> dict:
    """An upload of partner A waiting for the worker: withdrawing it is refused (409 in the
    API) for everyone allowed to act, so one upload serves every role."""
    from reporting.models import Upload, UploadStatus

    pk = upload_of_partner_a(cast)["pk"]
    Upload.objects.filter(pk=pk).update(status=UploadStatus.QUEUED)
    return {"pk": pk}


def alias_of_partner_a(cast) -> dict:
    from decimal import Decimal

    from deals.models import Product
    from reporting.models import SkuAlias

    product, _ = Product.objects.get_or_create(
        vendor_sku="AUTHZ-ALIAS", defaults={"name": "Alias product", "list_price": Decimal(1)}
    )
    alias = SkuAlias.objects.create(partner=cast.partner_a, partner_sku="A-1", product=product)
    return {"pk": alias.pk}


# Vendor staff and partner admins; reps are refused.
REPORT_USERS = answers(
    FORBIDDEN, vendor_admin=OK, cm_a=OK, cm_b=OK, partner_a_admin=OK, partner_b_admin=OK
)


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
    "reporting:uploads": Expect(REPORT_USERS),
    "reporting:export": Expect(REPORT_USERS, kwargs=lambda cast: {"fmt": "csv"}),
    "reporting:upload": Expect(REPORT_USERS),
    "reporting:detail": Expect(of_partner_a(OK), kwargs=upload_of_partner_a),
    "reporting:progress": Expect(of_partner_a(OK), kwargs=upload_of_partner_a),
    "reporting:mapping": Expect(of_partner_a(OK), kwargs=upload_of_partner_a),
    "reporting:errors": Expect(of_partner_a(OK), kwargs=upload_of_partner_a),
    "reporting:reprocess": Expect(
        of_partner_a(REDIRECT), kwargs=upload_of_partner_a, method="post"
    ),
    "reporting:withdraw": (
        Expect(of_partner_a(OK), kwargs=upload_of_partner_a),
        Expect(of_partner_a(REDIRECT), kwargs=upload_of_partner_a, method="post"),
    ),
    "reporting:aliases": Expect(vendor_staff_only()),
    "reporting:alias_delete": Expect(
        vendor_staff_only(REDIRECT, cm_b=NOT_FOUND), kwargs=alias_of_partner_a, method="post"
    ),
}
