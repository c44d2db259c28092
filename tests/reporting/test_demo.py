"""The demo seeder imports the four sample reports once."""

from reporting import demo
from reporting.models import SalesLine, Upload, UploadStatus


def test_it_imports_the_sample_reports_once(sample_partners, acme, cast):
    demo.seed(acme)
    demo.seed(acme)
    uploads = Upload.objects.order_by("partner__slug")
    assert [(u.partner.slug, u.status) for u in uploads] == [
        (slug, UploadStatus.DONE) for slug in ("lonestar", "mueller", "northwind", "saigon")
    ]
    assert SalesLine.objects.count() == 75 + 91 + 93 + 64
    assert not any(upload.error_rows for upload in uploads)
