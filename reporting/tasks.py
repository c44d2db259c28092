"""Celery tasks of partner reports: they take ids and call a service (idempotent)."""

from celery import shared_task
from celery.signals import worker_process_init

from reporting import importing
from reporting.ingest.isolated import replace_spare, start_spare


@worker_process_init.connect
def _start_detection_spare(**_kwargs) -> None:
    """Each worker process keeps its next confined detection process started, so an
    import does not wait for an interpreter to start (reporting.ingest.isolated)."""
    start_spare()


@shared_task
def process_upload(upload_id: int) -> str:
    """Detect, map, normalise and store an upload; delivered twice, it has one effect."""
    try:
        return importing.upload_process(upload_id=upload_id).status
    finally:
        replace_spare()  # now that the import is over, not while it runs


@shared_task
def recover_stalled_imports() -> dict[str, int]:
    """Beat, every minute, in each vendor schema: re-queue imports whose worker died."""
    return importing.stalled_imports_recover()


@shared_task
def send_import_done(upload_id: int) -> None:
    """Tell the uploader the import finished, with its counts and a link."""
    from reporting.notifications import import_done

    import_done(upload_id)
