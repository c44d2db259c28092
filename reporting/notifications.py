"""E-mail to the uploader when an import has finished, in their language."""

from django.urls import reverse

from partners.emails import send_email
from prm.tenancy.selectors import current_vendor
from prm.tenancy.services import vendor_url
from reporting.models import Upload


def import_done(upload_id: int) -> None:
    upload = Upload.objects.select_related("uploaded_by", "partner").filter(pk=upload_id).first()
    if upload is None:  # withdrawn before the message went: nothing left to point at
        return
    user = upload.uploaded_by
    if user is None or not user.email:
        return
    send_email(
        to=[user.email],
        template_prefix="reporting/email/import_done",
        context={
            "upload": upload,
            "url": vendor_url(current_vendor(), reverse("reporting:detail", args=[upload.pk])),
        },
        language=user.language,
    )
