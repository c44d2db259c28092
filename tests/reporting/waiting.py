"""Waiting for an upload that a real worker (or another thread) is processing."""

import time

from django_tenants.utils import schema_context

from reporting.models import Upload


def wait_for_upload(upload_id: int, predicate, timeout: float) -> Upload:
    """Poll acme's upload until ``predicate(upload)`` holds; fail with where it stuck."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with schema_context("acme"):  # the predicate may query too (upload.runs)
            upload = Upload.objects.get(pk=upload_id)
            if predicate(upload):
                return upload
        time.sleep(0.05)
    raise AssertionError(
        f"upload {upload_id} stuck at {upload.status} {upload.progress}% {upload.message}"
    )
