"""Writes of channel data quality: reminders, nothing-sold declarations, held-line
releases, cadences, score refreshes and customer links (keyword-only, atomic)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus
from prm.core.mail import Message, queue_emails
from prm.core.sql import hold_rows
from reporting.quality import cadence as cadences
from reporting.quality.models import Frequency, NothingSold, ReportingCadence, ReportReminder

#: Overdue reminders stop this long after the due day: the CM's queue carries it on.
STOP_REMINDING_AFTER_DAYS = 60


def _stage(expected: cadences.Expected, cadence, today: dt.date, last_sent: dt.date | None):
    """Which reminder is due today for a missing report, or None."""
    due = expected.due
    if today < due - dt.timedelta(days=cadence.remind_days_before):
        return None
    if today < due:
        return None if last_sent else ReportReminder.Stage.BEFORE
    if today == due:
        return ReportReminder.Stage.DUE
    if (today - due).days > STOP_REMINDING_AFTER_DAYS:
        return None
    if last_sent is None or (today - last_sent).days >= max(1, cadence.repeat_every_days):
        return ReportReminder.Stage.OVERDUE
    return None


def _admins(partner_ids: list[int]) -> dict[int, list]:
    from prm.accounts.models import User

    found: dict[int, list] = {}
    admins = User.objects.filter(
        membership__partner_id__in=partner_ids, role="partner_admin", is_active=True
    ).select_related("membership")
    for user in admins.order_by("pk"):
        if user.email:
            found.setdefault(user.membership.partner_id, []).append(user)
    return found


@transaction.atomic
def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind partner admins of reports due soon, due today or overdue; return how many
    reminders (one per partner and period) were sent. Idempotent per day: the ledger row
    (one per partner, period and day) is written before the e-mails leave on commit."""
    from partners.emails import render_email
    from prm.tenancy.services import vendor_url

    today = today or timezone.localdate()
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE))
    missing = [e for e in cadences.owed(partners, today=today) if e.received is None]
    # A partner deleted since it was listed gets no reminder (and does not fail the run).
    still_there = hold_rows(Partner, {e.partner_id for e in missing})
    missing = [e for e in missing if e.partner_id in still_there]
    if not missing:
        return 0
    by_id = {p.pk: p for p in partners}
    own = cadences.cadences_for(partners)
    ledger: dict[tuple[int, dt.date], dt.date] = {}
    for partner_id, start, sent_on in ReportReminder.objects.filter(
        partner_id__in={e.partner_id for e in missing}
    ).values_list("partner_id", "period_start", "sent_on"):
        key = (partner_id, start)
        ledger[key] = max(ledger.get(key, sent_on), sent_on)
    admins = _admins(list({e.partner_id for e in missing}))
    url = vendor_url(connection.tenant, reverse("reporting:upload"))
    sent = 0
    for expected in missing:
        key = (expected.partner_id, expected.period.start)
        if ledger.get(key) == today:
            continue
        stage = _stage(expected, own[expected.partner_id], today, ledger.get(key))
        recipients = admins.get(expected.partner_id, [])
        if stage is None or not recipients:
            continue
        context = {
            "partner": by_id[expected.partner_id],
            "period": expected.period.label,
            "due": expected.due.isoformat(),
            "stage": stage,
            "late_days": expected.late_days(today),
            "url": url,
        }
        mails = [
            (user.email, *render_email("quality/email/reminder", context, language=user.language))
            for user in recipients
        ]
        _reminder, created = ReportReminder.objects.get_or_create(
            partner_id=expected.partner_id,
            frequency=expected.period.frequency,
            period_start=expected.period.start,
            sent_on=today,
            defaults={
                "stage": stage,
                "recipients": [address for address, _s, _b in mails],
                "subjects": [subject for _a, subject, _b in mails],
            },
        )
        if not created:
            continue
        sent += 1
        # Through the mail task like every other mail: it retries while the mail server
        # is down, where sending here would lose the reminder its row says was sent.
        queue_emails(
            [Message(to=[address], subject=subject, body=body) for address, subject, body in mails]
        )
    return sent


def _may_report_for(user, partner: Partner) -> bool:
    if user.is_partner_user:
        return user.is_partner_admin and user.partner.pk == partner.pk
    from partners.selectors import partners_visible_to

    return user.is_vendor_staff and partners_visible_to(user).filter(pk=partner.pk).exists()


@transaction.atomic
def nothing_sold_declare(*, user, partner: Partner, period_start: dt.date) -> NothingSold:
    """A partner admin (or its CM) declares an empty period: it counts as received."""
    if not _may_report_for(user, partner):
        raise PermissionDenied
    frequency = cadences.cadences_for([partner])[partner.pk].frequency
    period = cadences.period_of(frequency, period_start)
    if period.start > timezone.localdate():
        raise ValidationError(_("That period has not started yet."))
    declaration, _created = NothingSold.objects.get_or_create(
        partner=partner,
        frequency=period.frequency,
        period_start=period.start,
        defaults={"declared_by": user},
    )
    return declaration


@transaction.atomic
def cadence_save(
    *,
    user,
    partner: Partner | None,
    frequency: str,
    due_business_days: int,
    remind_days_before: int = 3,
    repeat_every_days: int = 3,
) -> ReportingCadence:
    """Set a partner's cadence (or, with partner=None, the programme default)."""
    if not user.is_vendor_staff or (partner is None and not user.is_vendor_admin):
        raise PermissionDenied
    if partner is not None and not _may_report_for(user, partner):
        raise PermissionDenied
    if frequency not in Frequency.values or not 0 <= due_business_days <= 60:
        raise ValidationError(_("Choose monthly or weekly and a due day of 0 to 60 days."))
    cadence, _created = ReportingCadence.objects.update_or_create(
        partner=partner,
        defaults={
            "frequency": frequency,
            "due_business_days": due_business_days,
            "remind_days_before": remind_days_before,
            "repeat_every_days": repeat_every_days,
        },
    )
    return cadence


def scores_refresh(
    *,
    months: int = 3,
    today: dt.date | None = None,
    partner_ids: list[int] | None = None,
    also: list[str] = (),
) -> int:
    """Rebuild the stored quality scores of active partners (all, or these) for the last
    `months` months and the months named in `also` (YYYY-MM, e.g. an old month a late
    report just covered)."""
    from reporting.quality.scoring import refresh

    today = today or timezone.localdate()
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).order_by("pk")
    if partner_ids is not None:
        partners = partners.filter(pk__in=partner_ids)
    partners = list(partners)
    period = cadences.period_of(Frequency.MONTHLY, today)
    labels = set(also)
    for _month in range(months):
        labels.add(period.label)
        period = period.previous()
    for label in sorted(labels):
        refresh(partners, label, today=today)
    return len(partners)


@transaction.atomic
def repeats_confirm(*, user, upload_id: int, source_rows: list[int]) -> int:
    """Held rows of an upload that the partner confirms as true repeat sales count again;
    the figures are rebuilt once this commits. Returns how many rows moved."""
    from reporting import selectors as report_selectors
    from reporting.models import Upload
    from reporting.quality.duplicates import release
    from reporting.services import may_upload_for

    upload = report_selectors.get_upload_for(user, upload_id)
    if not may_upload_for(user, upload.partner):
        raise PermissionDenied
    upload = Upload.objects.select_for_update().get(pk=upload.pk)
    if upload.is_running:
        raise ValidationError(_("This report is being processed; wait until it finishes."))
    return release(upload=upload, source_rows=source_rows, user=user)


@transaction.atomic
def uploads_remeasure_naming(*, name: str) -> int:
    """After a CM settled a spelling: the uploads whose lines name it count their unlinked
    lines again, and their partners' link rates follow. Answers how many were measured.

    Reads the lines by name without an index (one scan, in the background: an index on
    the lines' end customer would cost every import more than a few decisions a day)."""
    from reporting.models import SalesLine

    lines = SalesLine.objects.filter(end_customer=name)
    uploads = dict(lines.values_list("upload_id", "partner_id").distinct())
    measured = [upload_measure(upload_id=pk) for pk in sorted(uploads)]
    months = sorted({m for figures in measured if figures for m in figures["months"]})
    if uploads:
        scores_refresh(months=3, partner_ids=sorted(set(uploads.values())), also=months)
    return sum(1 for figures in measured if figures is not None)


def upload_measure(*, upload_id: int) -> dict | None:
    """Compute and store an upload's quality figures (after its import and linking)."""
    from reporting.models import Upload
    from reporting.quality.models import UploadQuality
    from reporting.quality.selectors import measure_upload

    # Held until commit: an upload deleted meanwhile is skipped, not failed on its key.
    if not hold_rows(Upload, [upload_id]):
        return None
    upload = Upload.objects.get(pk=upload_id)
    figures = measure_upload(upload)
    UploadQuality.objects.update_or_create(upload=upload, defaults={"figures": figures})
    return figures
