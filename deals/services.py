"""Every write to deals: registration, conflict checks, decisions, closing, expiry.

Each service is keyword-only and atomic, locks the deal row (``select_for_update``) and
compares the caller's ``expected_version`` with the row's: the first of two people acting
on the same version wins, the other gets :class:`DealChanged` (the view says "the deal
changed, look again"). Who may act is checked here too, not only in views; partner, owner
and status never come from form data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals import conflicts, matching, notifications, pricing
from deals.models import (
    Deal,
    DealConflict,
    DealEvent,
    DealLine,
    DealStatus,
    Product,
)
from partners.selectors import in_partner_scope
from prm import webhooks
from prm.core import money
from prm.core.extensions import registry
from prm.tenancy.selectors import current_vendor

Kind = DealEvent.Kind

#: action -> (statuses it may start from, status it leads to). The one table of the
#: lifecycle; tests walk it, including every illegal pair.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({DealStatus.DRAFT, DealStatus.MORE_INFORMATION}), DealStatus.SUBMITTED),
    "approve": (frozenset({DealStatus.SUBMITTED}), DealStatus.APPROVED),
    "reject": (
        frozenset({DealStatus.SUBMITTED, DealStatus.MORE_INFORMATION}),
        DealStatus.REJECTED,
    ),
    "request_information": (frozenset({DealStatus.SUBMITTED}), DealStatus.MORE_INFORMATION),
    "close_won": (frozenset({DealStatus.APPROVED}), DealStatus.WON),
    "close_lost": (frozenset({DealStatus.APPROVED}), DealStatus.LOST),
    "expire": (frozenset({DealStatus.APPROVED}), DealStatus.EXPIRED),
}
#: Statuses in which the partner may still change the registration.
EDITABLE_STATUSES = frozenset({DealStatus.DRAFT, DealStatus.MORE_INFORMATION})


class DealChanged(Exception):
    """The deal changed since the caller loaded it; nothing was done."""


class IllegalTransition(ValidationError):
    """The action is not possible from the deal's current status."""


class ApprovalBlocked(ValidationError):
    """Another partner's approved registration already protects this customer and product."""


@dataclass(frozen=True)
class LineInput:
    """One requested deal line: a catalogue product and a quantity (price optional)."""

    product_id: int
    quantity: int
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class DealInput:
    """The fields a partner user may set on a registration (nothing about ownership)."""

    customer_name: str
    customer_domain: str = ""
    customer_country: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    expected_value: Decimal | None = None  # None: computed from the lines
    expected_close_date: date | None = None
    notes: str = ""


# ---------------------------------------------------------------------------------------------
# Who may act
# ---------------------------------------------------------------------------------------------


def can_edit_as_partner(user, deal: Deal) -> bool:
    """The registering rep or an admin of the same partner."""
    if not user.is_partner_user or user.partner.pk != deal.partner_id:
        return False
    return user.is_partner_admin or deal.registered_by_id == user.pk


def can_decide(user, deal: Deal) -> bool:
    """Vendor admins, and the channel manager assigned to the deal's partner."""
    return user.is_vendor_staff and in_partner_scope(user, deal.partner)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_partner_may_write(user) -> None:
    """Onboarding and suspended partners read but do not change deals (partners/rules.py)."""
    from partners.rules import Action, require_partner_may

    require_partner_may(user.partner, Action.WRITE)


def _lock(deal_id: int) -> Deal:
    """The deal, row-locked until the transaction ends (its partner read, not locked)."""
    return Deal.objects.select_for_update(of=("self",)).select_related("partner").get(pk=deal_id)


def _locked(deal_id: int, expected_version: int | None) -> Deal:
    deal = _lock(deal_id)
    if expected_version is not None and deal.version != expected_version:
        raise DealChanged
    return deal


def allowed(deal: Deal, action: str) -> bool:
    """Whether the lifecycle allows ``action`` from the deal's current status."""
    sources, _target = TRANSITIONS[action]
    return deal.status in sources


def _check(deal: Deal, action: str) -> None:
    if not allowed(deal, action):
        raise IllegalTransition(
            _("This registration is %(status)s; that is not possible now."),
            code="illegal_transition",
            params={"status": deal.get_status_display()},
        )


def _move(deal: Deal, action: str) -> str:
    _check(deal, action)
    before = deal.status
    deal.status = TRANSITIONS[action][1]
    return before


#: History entries that other systems hear about (webhook events).
WEBHOOK_EVENTS = {
    Kind.SUBMITTED: "deal.submitted",
    Kind.APPROVED: "deal.approved",
    Kind.REJECTED: "deal.rejected",
    Kind.EXPIRED: "deal.expired",
}


def webhook_payload(deal: Deal) -> dict:
    """What a webhook says about a deal: the fields of the API's deal list."""
    return {
        "id": deal.pk,
        "partner": deal.partner.slug,
        "customer_name": deal.customer_name,
        "status": deal.status,
        "version": deal.version,
        "expected_value": None if deal.expected_value is None else str(deal.expected_value),
        "currency": deal.currency,
        "protected_until": deal.protected_until.isoformat() if deal.protected_until else None,
    }


def _record(deal: Deal, *, actor, kind: str, before: str = "", comment: str = "") -> DealEvent:
    event = DealEvent.objects.create(
        deal=deal,
        actor=actor,
        kind=kind,
        from_status=before,
        to_status=deal.status if before else "",
        comment=comment,
    )
    # Apps above deals follow every recorded change (analytics rebuilds the partner's
    # deal summaries); every change of a deal is recorded here, so nothing is missed.
    for hook in registry.deal_recorded_hooks():
        hook(event)
    if kind in WEBHOOK_EVENTS:
        # Recorded with the change, sent only once it commits.
        webhooks.emit(WEBHOOK_EVENTS[kind], lambda: webhook_payload(deal))
    return event


def _save(deal: Deal, *fields: str) -> None:
    deal.version += 1
    deal.save(update_fields=[*fields, "version", "updated_at"])


# ---------------------------------------------------------------------------------------------
# Partner side
# ---------------------------------------------------------------------------------------------


def _apply_input(deal: Deal, data: DealInput) -> None:
    deal.customer_name = data.customer_name.strip()
    deal.customer_domain = data.customer_domain.strip()
    deal.customer_country = data.customer_country
    deal.contact_name = data.contact_name
    deal.contact_email = data.contact_email
    deal.contact_phone = data.contact_phone
    deal.expected_close_date = data.expected_close_date
    deal.notes = data.notes
    deal.refresh_matching_keys()


def _replace_lines(deal: Deal, lines: list[LineInput]) -> None:
    """The deal's lines, priced in the deal's currency (see :mod:`deals.pricing`)."""
    products = Product.objects.in_bulk([line.product_id for line in lines])
    merged: dict[int, LineInput] = {}
    for line in lines:
        product = products.get(line.product_id)
        if product is None or (not product.is_active and line.product_id not in merged):
            raise ValidationError(_("Choose products from the current catalogue."))
        if line.quantity < 1:
            raise ValidationError(_("Quantities must be at least 1."))
        if line.unit_price is not None and line.unit_price < 0:
            raise ValidationError(_("Prices cannot be negative."))
        merged[line.product_id] = line
    day = pricing.registration_day(deal)
    list_prices = pricing.list_prices(
        [products[pk] for pk in merged],
        currency=deal.currency,
        tier_id=deal.partner.tier_id,
        day=day,
    )
    rows = []
    for line in merged.values():
        list_price = list_prices[line.product_id]
        quoted = line.unit_price if line.unit_price is not None else list_price
        if quoted is None:
            raise ValidationError(
                _(
                    "%(sku)s has no list price in %(currency)s on %(date)s. Enter your own "
                    "price for it, or ask your channel manager to add an exchange rate."
                ),
                code="no_price",
                params={
                    "sku": products[line.product_id].vendor_sku,
                    "currency": deal.currency,
                    "date": day.isoformat(),
                },
            )
        rows.append(
            DealLine(
                deal=deal,
                product=products[line.product_id],
                quantity=line.quantity,
                unit_price=money.round_to_minor_unit(quoted, deal.currency),
                list_price=list_price,
            )
        )
    deal.product_ids = sorted(merged)
    deal.lines.all().delete()
    DealLine.objects.bulk_create(rows)


def _set_value(deal: Deal, data: DealInput) -> None:
    if data.expected_value is not None:
        deal.expected_value = money.round_to_minor_unit(data.expected_value, deal.currency)
        deal.value_overridden = True
    else:
        deal.expected_value = sum(
            (line.unit_price * line.quantity for line in deal.lines.all()), Decimal("0")
        )
        deal.value_overridden = False


@transaction.atomic
def deal_create(*, user, data: DealInput, lines: list[LineInput]) -> Deal:
    """A new draft registration of the user's own partner."""
    _require(user.is_partner_user)
    _require_partner_may_write(user)
    deal = Deal(partner=user.partner, registered_by=user, currency=user.partner.currency)
    _apply_input(deal, data)
    deal.save()
    _replace_lines(deal, lines)
    _set_value(deal, data)
    deal.save(update_fields=["expected_value", "value_overridden", "product_ids"])
    _record(deal, actor=user, kind=Kind.CREATED)
    return deal


@transaction.atomic
def deal_update(
    *, user, deal_id: int, expected_version: int, data: DealInput, lines: list[LineInput]
) -> Deal:
    """Change a draft, or a registration returned for more information."""
    deal = _locked(deal_id, expected_version)
    _require(can_edit_as_partner(user, deal))
    _require_partner_may_write(user)
    if deal.status not in EDITABLE_STATUSES:
        raise IllegalTransition(
            _("Only drafts and registrations returned for more information can be edited."),
            code="not_editable",
        )
    _apply_input(deal, data)
    _replace_lines(deal, lines)
    _set_value(deal, data)
    deal.version += 1
    deal.save()
    _record(deal, actor=user, kind=Kind.EDITED)
    return deal


@transaction.atomic
def deal_submit(*, user, deal_id: int, expected_version: int) -> Deal:
    """Send the registration to review and check it for conflicts."""
    deal = _locked(deal_id, expected_version)
    _require(can_edit_as_partner(user, deal))
    _require_partner_may_write(user)
    if not deal.lines.exists():
        raise ValidationError(_("Add at least one product before submitting."))
    before = _move(deal, "submit")
    deal.submitted_at = timezone.now()
    deal.review_reminded_at = None
    _save(deal, "status", "submitted_at", "review_reminded_at")
    _record(deal, actor=user, kind=Kind.SUBMITTED, before=before)
    _store_conflicts(deal)
    notifications.deal_submitted(deal)
    return deal


# ---------------------------------------------------------------------------------------------
# Conflicts
# ---------------------------------------------------------------------------------------------


def _store_conflicts(deal: Deal) -> list[DealConflict]:
    product_ids = list(deal.lines.values_list("product_id", flat=True))
    found = conflicts.find_conflicts(deal, product_ids)
    DealConflict.objects.filter(deal=deal).delete()
    rows = DealConflict.objects.bulk_create(
        DealConflict(
            deal=deal,
            other_deal_id=item.other_deal_id,
            direct_account_id=item.direct_account_id,
            score=item.conflict.score,
            reasons=[_reason_data(reason) for reason in item.conflict.reasons],
        )
        for item in found
    )
    deal.conflict_score = max((row.score for row in rows), default=None)
    deal.conflicts_checked_at = timezone.now()
    # Bookkeeping, not a change of the registration: the version stays, so a CM's open
    # decision form is not invalidated by a re-check.
    Deal.objects.filter(pk=deal.pk).update(
        conflict_score=deal.conflict_score, conflicts_checked_at=deal.conflicts_checked_at
    )
    return rows


def _reason_data(reason: matching.Reason) -> dict:
    return {
        "code": reason.code,
        "template": reason.template,
        "params": dict(reason.params),
        "plural_template": reason.plural_template,
        "count": reason.count,
    }


@transaction.atomic
def deal_check_conflicts(*, user, deal_id: int) -> list[DealConflict]:
    """Re-run conflict detection on demand (vendor staff)."""
    deal = _lock(deal_id)
    _require(can_decide(user, deal))
    rows = _store_conflicts(deal)
    _record(
        deal,
        actor=user,
        kind=Kind.CONFLICTS_CHECKED,
        # No count: partner users read this history, and other partners' registrations
        # are none of their business (staff see the conflicts themselves).
    )
    return rows


# ---------------------------------------------------------------------------------------------
# Vendor side: decisions
# ---------------------------------------------------------------------------------------------


def _rival_ids(deal: Deal) -> list[int]:
    """Other partners' open registrations that are likely the same customer and products."""
    product_ids = set(deal.lines.values_list("product_id", flat=True))
    return [
        item.other_deal_id
        for item in conflicts.find_conflicts(deal, product_ids)
        if item.other_deal_id is not None
        and item.conflict.is_likely
        and (item.conflict.shared_products or not item.other_deal_has_products)
    ]


@transaction.atomic
def deal_approve(*, user, deal_id: int, expected_version: int, comment: str = "") -> Deal:
    """Approve: the partner's protection period starts today.

    Only one approved registration per customer and products: the deal and its likely
    rivals are locked together, in id order, so two CMs approving two rival deals at once
    are serialised without deadlock and the second sees the first one's approval.
    """
    deal = Deal.objects.select_related("partner").get(pk=deal_id)  # unlocked first look
    _require(can_decide(user, deal))
    # Fail fast, before the conflict search; a stale version is "changed", not "illegal".
    if deal.version != expected_version:
        raise DealChanged
    _check(deal, "approve")
    rivals = _rival_ids(deal)
    locked = {
        row.pk: row
        for row in Deal.objects.select_for_update().filter(pk__in=[deal.pk, *rivals]).order_by("pk")
    }
    deal = locked[deal_id]
    if deal.version != expected_version:
        raise DealChanged
    _check(deal, "approve")
    today = timezone.localdate()
    blocking = [
        rival
        for pk, rival in locked.items()
        if pk != deal_id
        and rival.status == DealStatus.APPROVED
        and rival.protected_until
        and rival.protected_until >= today
    ]
    if blocking:
        raise ApprovalBlocked(
            _(
                "Another partner's registration of this customer and these products is "
                "approved until %(date)s. Reject this one or wait until that one ends."
            ),
            code="approval_blocked",
            params={"date": blocking[0].protected_until.isoformat()},
        )
    before = _move(deal, "approve")
    now = timezone.now()
    deal.decided_at, deal.decided_by, deal.decision_comment = now, user, comment
    deal.protected_until = timezone.localdate(now) + timedelta(
        days=current_vendor().protection_days
    )
    deal.last_expiry_reminder = None
    _save(
        deal,
        "status",
        "decided_at",
        "decided_by",
        "decision_comment",
        "protected_until",
        "last_expiry_reminder",
    )
    _record(deal, actor=user, kind=Kind.APPROVED, before=before, comment=comment)
    notifications.deal_decided(deal)
    return deal


@transaction.atomic
def deal_reject(*, user, deal_id: int, expected_version: int, reason: str) -> Deal:
    """Reject with a reason the partner will read."""
    if not reason.strip():
        raise ValidationError(_("Say why the registration is rejected."), code="reason")
    deal = _locked(deal_id, expected_version)
    _require(can_decide(user, deal))
    before = _move(deal, "reject")
    deal.decided_at, deal.decided_by, deal.decision_comment = timezone.now(), user, reason
    _save(deal, "status", "decided_at", "decided_by", "decision_comment")
    _record(deal, actor=user, kind=Kind.REJECTED, before=before, comment=reason)
    notifications.deal_decided(deal)
    return deal


@transaction.atomic
def deal_request_information(*, user, deal_id: int, expected_version: int, question: str) -> Deal:
    """Return the registration to the partner with a question; they edit and resubmit."""
    if not question.strip():
        raise ValidationError(_("Say what information is missing."), code="question")
    deal = _locked(deal_id, expected_version)
    _require(can_decide(user, deal))
    before = _move(deal, "request_information")
    deal.decision_comment = question
    _save(deal, "status", "decision_comment")
    _record(deal, actor=user, kind=Kind.INFORMATION_REQUESTED, before=before, comment=question)
    notifications.deal_needs_information(deal)
    return deal


# ---------------------------------------------------------------------------------------------
# Partner side: closing and extensions
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def deal_close_won(
    *, user, deal_id: int, expected_version: int, final_amount: Decimal, closed_on: date
) -> Deal:
    deal = _locked(deal_id, expected_version)
    _require(can_edit_as_partner(user, deal))
    _require_partner_may_write(user)
    if final_amount is None or final_amount < 0:
        raise ValidationError(_("Enter the final amount."), code="final_amount")
    before = _move(deal, "close_won")
    # The partner states it in the deal's currency, like every amount of the deal.
    final_amount = money.round_to_minor_unit(final_amount, deal.currency)
    deal.final_amount, deal.closed_on = final_amount, closed_on
    _save(deal, "status", "final_amount", "closed_on")
    _record(
        deal,
        actor=user,
        kind=Kind.WON,
        before=before,
        comment=str(money.Money(final_amount, deal.currency)),
    )
    return deal


@transaction.atomic
def deal_close_lost(
    *, user, deal_id: int, expected_version: int, reason: str, closed_on: date | None = None
) -> Deal:
    if not reason.strip():
        raise ValidationError(_("Say why the deal was lost."), code="reason")
    deal = _locked(deal_id, expected_version)
    _require(can_edit_as_partner(user, deal))
    _require_partner_may_write(user)
    before = _move(deal, "close_lost")
    deal.lost_reason, deal.closed_on = reason, closed_on or timezone.localdate()
    _save(deal, "status", "lost_reason", "closed_on")
    _record(deal, actor=user, kind=Kind.LOST, before=before, comment=reason)
    return deal


@transaction.atomic
def deal_request_extension(
    *, user, deal_id: int, expected_version: int, until: date, reason: str
) -> Deal:
    """Ask the CM to protect the registration until ``until`` (before the current end).

    At most one protection period beyond the current end: longer asks are a new deal.
    """
    if not reason.strip():
        raise ValidationError(_("Say why you need more time."), code="reason")
    deal = _locked(deal_id, expected_version)
    _require(can_edit_as_partner(user, deal))
    _require_partner_may_write(user)
    today = timezone.localdate()
    if deal.status != DealStatus.APPROVED or deal.protected_until < today:
        raise IllegalTransition(
            _("Only approved registrations can be extended, before they expire."),
            code="not_extendable",
        )
    if deal.extension_requested_until:
        raise IllegalTransition(
            _("An extension is already waiting for a decision."), code="extension_pending"
        )
    longest = deal.protected_until + timedelta(days=current_vendor().protection_days)
    if not deal.protected_until < until <= longest:
        raise ValidationError(
            _("Choose a date after %(current)s and no later than %(longest)s."),
            code="until",
            params={"current": deal.protected_until, "longest": longest},
        )
    deal.extension_requested_until = until
    deal.extension_reason = reason
    _save(deal, "extension_requested_until", "extension_reason")
    _record(deal, actor=user, kind=Kind.EXTENSION_REQUESTED, comment=f"{until}: {reason}")
    notifications.extension_requested(deal)
    return deal


@transaction.atomic
def deal_decide_extension(
    *, user, deal_id: int, expected_version: int, grant: bool, comment: str = ""
) -> Deal:
    deal = _locked(deal_id, expected_version)
    _require(can_decide(user, deal))
    if deal.status != DealStatus.APPROVED or not deal.extension_requested_until:
        raise IllegalTransition(_("No extension is waiting for a decision."))
    if grant:
        deal.protected_until = deal.extension_requested_until
        deal.last_expiry_reminder = None  # remind again before the new end
    deal.extension_requested_until = None
    _save(deal, "protected_until", "extension_requested_until", "last_expiry_reminder")
    _record(
        deal,
        actor=user,
        kind=Kind.EXTENSION_GRANTED if grant else Kind.EXTENSION_DENIED,
        comment=comment,
    )
    notifications.extension_decided(deal, granted=grant)
    return deal


# ---------------------------------------------------------------------------------------------
# System: expiry and reminders (called by tasks with ids; idempotent)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def deal_expire(*, deal_id: int, today: date | None = None) -> bool:
    """Expire an approved registration whose protection has ended; False if nothing to do."""
    today = today or timezone.localdate()
    deal = _lock(deal_id)
    if deal.status != DealStatus.APPROVED or deal.protected_until >= today:
        return False
    before = _move(deal, "expire")
    deal.extension_requested_until = None
    _save(deal, "status", "extension_requested_until")
    _record(deal, actor=None, kind=Kind.EXPIRED, before=before)
    notifications.deal_expired(deal)
    return True


#: Days before the end of protection at which the rep is reminded.
EXPIRY_REMINDER_DAYS = (14, 3)


@transaction.atomic
def deal_send_expiry_reminder(*, deal_id: int, today: date | None = None) -> int | None:
    """Remind the rep once per threshold; returns the threshold reminded, if any."""
    today = today or timezone.localdate()
    deal = _lock(deal_id)
    if deal.status != DealStatus.APPROVED:
        return None
    days_left = (deal.protected_until - today).days
    if days_left < 0:
        return None
    due = [days for days in EXPIRY_REMINDER_DAYS if days_left <= days]
    if not due:
        return None
    threshold = min(due)
    if deal.last_expiry_reminder is not None and deal.last_expiry_reminder <= threshold:
        return None  # already reminded at this threshold (or a nearer one)
    Deal.objects.filter(pk=deal.pk).update(last_expiry_reminder=threshold)
    notifications.expiry_reminder(deal, days_left=days_left)
    return threshold


def business_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after ``start`` up to and including ``end``."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


@transaction.atomic
def deal_remind_overdue_review(*, deal_id: int, now=None) -> bool:
    """Tell the deciding CM a submitted registration is past the review target, once a day."""
    now = now or timezone.now()
    deal = _lock(deal_id)
    if deal.status != DealStatus.SUBMITTED or deal.submitted_at is None:
        return False
    waited = business_days_between(timezone.localdate(deal.submitted_at), timezone.localdate(now))
    if waited <= current_vendor().review_target_days:
        return False
    if deal.review_reminded_at and now - deal.review_reminded_at < timedelta(days=1):
        return False
    Deal.objects.filter(pk=deal.pk).update(review_reminded_at=now)
    notifications.review_overdue(deal, business_days=waited)
    return True


# ---------------------------------------------------------------------------------------------
# Catalogue
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def product_upsert(
    *,
    user,
    vendor_sku: str,
    name: str,
    list_price: Decimal,
    currency: str = "USD",
    is_active: bool = True,
) -> tuple[Product, bool]:
    """Create or update one catalogue product by SKU (vendor admins); True when created."""
    _require(user.is_vendor_admin)
    currency = currency.upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError(_("Enter a three-letter currency code such as USD."))
    if list_price < 0:
        raise ValidationError(_("The list price must not be negative."))
    product, created = Product.objects.select_for_update().update_or_create(
        vendor_sku=vendor_sku.strip(),
        defaults={
            "name": name.strip(),
            "list_price": list_price,
            "currency": currency,
            "is_active": is_active,
        },
    )
    return product, created


@transaction.atomic
def deal_bulk_approve(*, user, deal_ids: list[int], comment: str = "") -> tuple[int, int]:
    """Approve several registrations without conflicts at once; answers (approved,
    skipped). Each goes through `deal_approve` (same checks, locks and notifications) in
    its own savepoint: one that changed meanwhile, or that a rival's approval now blocks,
    is skipped and the others still go through."""
    from deals.selectors import bulk_approvable_for

    approved = skipped = 0
    eligible = dict(bulk_approvable_for(user).filter(pk__in=deal_ids).values_list("pk", "version"))
    for deal_id in sorted(set(deal_ids)):
        if deal_id not in eligible:
            skipped += 1
            continue
        try:
            with transaction.atomic():
                deal_approve(
                    user=user, deal_id=deal_id, expected_version=eligible[deal_id], comment=comment
                )
            approved += 1
        except (DealChanged, ValidationError, PermissionDenied):
            skipped += 1
    return approved, skipped
