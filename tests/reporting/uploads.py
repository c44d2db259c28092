"""An upload made for a test that writes its lines itself (no file to import)."""

import uuid

from django.core.files.base import ContentFile

from reporting.models import Upload


def done_upload(partner, uploaded_by) -> Upload:
    upload = Upload(
        partner=partner,
        uploaded_by=uploaded_by,
        original_name="lines.csv",
        size=1,
        sha256=uuid.uuid4().hex * 2,
        status="done",
    )
    upload.file.save("lines.csv", ContentFile(b"x"), save=False)
    upload.save()
    return upload
