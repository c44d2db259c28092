"""Celery tasks of partner reports: they take ids and call a service (idempotent)."""

from celery import shared_task

from reporting import importing


@shared_task
def process_upload(upload_id: int) -> str:
    """Detect, map, normalise and store an upload; delivered twice, it has one effect."""
    return importing.upload_process(upload_id=upload_id).status


@shared_task
def recover_stalled_imports() -> dict[str, int]:
    """Beat, every minute, in each vendor schema: re-queue imports whose worker died."""
    return importing.stalled_imports_recover()


@shared_task
def send_import_done(upload_id: int) -> None:
    """Tell the uploader the import finished, with its counts and a link."""
    from reporting.notifications import import_done

    import_done(upload_id)
