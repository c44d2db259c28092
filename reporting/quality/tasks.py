"""Celery tasks of channel data quality: they call a service and are idempotent."""

import datetime as dt

from celery import shared_task

from reporting.quality import services


@shared_task
def send_report_reminders(today: str | None = None) -> int:
    """Beat, several times a day in each vendor schema: remind partner admins of reports
    due soon, due today or overdue (at most one reminder per partner, period and day).
    `today` (ISO date) is for drills and tests; beat sends none."""
    return services.reminders_send(today=dt.date.fromisoformat(today) if today else None)


@shared_task
def refresh_quality_scores(months: int = 3) -> int:
    """Beat, nightly, and after each import: lateness grows with the calendar, so scores
    are rebuilt even when no file arrives."""
    return services.scores_refresh(months=months)


@shared_task
def after_import(upload_id: int, partner_id: int) -> int:
    """After an import: link the upload's end customers to the registry, flag sales another
    partner reported too, measure the upload, then rebuild the partner's scores of the
    months the upload covers and the last three (their link rate needs the links)."""
    from reporting.quality.registry import link_pending
    from reporting.quality.twotier import flag_two_tier

    link_pending(upload_id=upload_id)
    flag_two_tier(upload_id)
    figures = services.upload_measure(upload_id=upload_id) or {}
    return services.scores_refresh(
        months=3, partner_ids=[partner_id], also=figures.get("months", [])
    )


@shared_task
def link_customers() -> dict[str, int]:
    """Beat, nightly: link spellings not decided yet (deal registrations, older lines)."""
    from reporting.quality.registry import link_pending

    return link_pending()


@shared_task
def remeasure_after_review(name: str) -> int:
    """After a CM's decision on a spelling: the uploads naming it are measured again, so
    their "lines without a linked end customer" stop counting it."""
    return services.uploads_remeasure_naming(name=name)
