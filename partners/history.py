"""Who changed what on a partner: its profile, status, tier, channel manager and
territory (django-simple-history rows of Partner) and its users' roles and access
(rows of User); and on a partner application: its channel manager and the decision.
Newest first, as lines a person reads.

The history tables live in each vendor's schema like the rows they follow. Changes made
with QuerySet.update() would leave no row here: the services that matter save the
instance, and the bulk reassignment of a CM's partners and open applications writes its
rows in bulk, marked with BULK_REASSIGNMENT so the page can say all of that CM's
partners (or applications) moved at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from partners.models import Partner, PartnerApplication
from prm.accounts.models import User

#: Fields of Partner shown in its history (others change with these or are internal).
PARTNER_FIELDS = (
    "name",
    "legal_name",
    "website",
    "country",
    "partner_type",
    "status",
    "tier",
    "channel_manager",
    "territory",
    "currency",
)
USER_FIELDS = ("role", "is_active", "full_name")
#: Fields of PartnerApplication shown in its history: who has it and what was decided.
APPLICATION_FIELDS = ("channel_manager", "status", "reviewed_by", "partner", "rejection_reason")
#: The change reason on history rows written by `services.partners_reassign`.
BULK_REASSIGNMENT = "bulk-reassignment"


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    subject: str  # what changed: the partner, or one of its users
    field: str
    old: str
    new: str
    note: str = ""  # how the change was made, when it was not on this partner's page


def _pairs(records: list) -> list[tuple]:
    """(newer, older) for consecutive history rows of one object, oldest row first in
    `records`; the creation row is paired with None."""
    result, previous = [], {}
    for record in records:
        result.append((record, previous.get(record.id)))
        previous[record.id] = record
    return result


def _display(model, field: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    django_field = model._meta.get_field(field)
    if django_field.is_relation:
        return names.get((field, value), f"#{value}")
    if django_field.choices:
        return str(dict(django_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def partner_changes(partner: Partner, *, limit: int = 30) -> list[Change]:
    """The latest changes to `partner` and its users, newest first (a fixed number of
    queries whatever the history's length)."""
    partner_rows = list(
        Partner.history.filter(id=partner.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )[::-1]
    member_ids = list(User.objects.filter(membership__partner=partner).values_list("pk", flat=True))
    user_rows = list(
        User.history.filter(id__in=member_ids)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit * 2]
    )[::-1]

    raw = _raw_changes(
        (Partner, partner_rows, PARTNER_FIELDS, lambda r: r.name),
        (User, user_rows, USER_FIELDS, lambda r: r.full_name or r.email),
    )
    return _changes(raw, _("all partners of this channel manager were moved at once"))[:limit]


def application_changes(application: PartnerApplication, *, limit: int = 30) -> list[Change]:
    """The latest changes to `application`, newest first (a fixed number of queries)."""
    rows = list(
        PartnerApplication.history.filter(id=application.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )[::-1]
    raw = _raw_changes((PartnerApplication, rows, APPLICATION_FIELDS, lambda r: r.company_name))
    note = _("all open applications of this channel manager were moved at once")
    return _changes(raw, note)[:limit]


def _raw_changes(*sources) -> list[tuple]:
    """(model, record, subject, field, old, new) for each field that differs between
    consecutive history rows of each (model, rows oldest first, fields, subject) source."""
    raw = []
    for model, rows, fields, subject_of in sources:
        for record, before in _pairs(rows):
            if before is None:
                continue  # creation (or the oldest row kept): nothing to compare with
            for field in fields:
                attname = model._meta.get_field(field).attname
                old, new = getattr(before, attname), getattr(record, attname)
                if old != new:
                    raw.append((model, record, subject_of(record), field, old, new))
    return raw


def _changes(raw: list[tuple], bulk_note) -> list[Change]:
    names = _related_names(raw)
    changes = [
        Change(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else str(_("the system")),
            subject=subject,
            field=str(model._meta.get_field(field).verbose_name),
            old=_display(model, field, old, names),
            new=_display(model, field, new, names),
            note=str(bulk_note) if _moved_in_bulk(record) else "",
        )
        for model, record, subject, field, old, new in raw
    ]
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


def _moved_in_bulk(record) -> bool:
    return getattr(record, "history_change_reason", "") == BULK_REASSIGNMENT


def _related_names(raw: list) -> dict:
    """Names of the tiers, users, territories and partners the changes point at (one
    query per kind)."""
    wanted: dict[tuple, set] = {}
    for model, _record, _subject, field, old, new in raw:
        if model._meta.get_field(field).is_relation:
            ids = wanted.setdefault((model, field), set())
            ids.update(v for v in (old, new) if v is not None)
    names = {}
    related_ids: dict = {}
    for (model, field), ids in wanted.items():
        related = model._meta.get_field(field).related_model
        related_ids.setdefault(related, set()).update(ids)
    by_model = {
        related: {obj.pk: str(obj) for obj in related.objects.filter(pk__in=ids)}
        for related, ids in related_ids.items()
        if ids
    }
    for (model, field), ids in wanted.items():
        found = by_model.get(model._meta.get_field(field).related_model, {})
        names.update({(field, pk): found[pk] for pk in ids if pk in found})
    return names
