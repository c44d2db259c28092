"""Reads on deals, always starting from the acting user (docs/product-rules.md, Visibility).

Vendor admins see every deal, a CM the deals of partners assigned to them, a partner admin
all of their partner's deals, a rep only the deals they registered. Conflicts are vendor
staff's business only: partner users are told "needs review", never who else registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext

from deals.models import Deal, DealConflict, DealEvent, DealLine, DealStatus, Notification, Product
from partners.selectors import restrict_to_partners


def deals_visible_to(user) -> QuerySet[Deal]:
    deals = restrict_to_partners(Deal.objects.all(), user)
    if user.is_authenticated and user.is_partner_user and not user.is_partner_admin:
        deals = deals.filter(registered_by=user)
    return deals


def get_deal_for(user, pk: int) -> Deal:
    """One deal with its lines, or 404 when outside the user's scope."""
    deals = deals_visible_to(user).select_related(
        "partner", "partner__channel_manager", "registered_by", "decided_by"
    )
    return get_object_or_404(
        deals.prefetch_related(
            Prefetch("lines", queryset=DealLine.objects.select_related("product"))
        ),
        pk=pk,
    )


#: Sortable columns of the deal list: URL value -> ordering (newest first by default).
DEAL_SORTS = {
    "customer": ("customer_name", "pk"),
    "partner": ("partner__name", "pk"),
    "status": ("status", "pk"),
    "value": ("expected_value", "pk"),
    "close": ("expected_close_date", "pk"),
    "protected": ("protected_until", "pk"),
    "created": ("created_at", "pk"),
}


def deal_list_for(user, *, status: str = "", filters: dict | None = None) -> QuerySet[Deal]:
    """The user's deals narrowed by the list's filters (deals.forms.DealFilterForm):
    q (customer name or domain), status, partner, channel_manager, created_from/_to, sort."""
    filters = dict(filters or {})
    status = filters.get("status", status)
    deals = deals_visible_to(user).select_related("partner", "registered_by")
    if status in DealStatus.values:
        deals = deals.filter(status=status)
    if query := filters.get("q", "").strip():
        deals = deals.filter(
            Q(customer_name__icontains=query) | Q(customer_domain__icontains=query)
        )
    if partner := filters.get("partner"):
        deals = deals.filter(partner=partner)
    if manager := filters.get("channel_manager"):
        deals = deals.filter(partner__channel_manager=manager)
    if start := filters.get("created_from"):
        deals = deals.filter(created_at__date__gte=start)
    if end := filters.get("created_to"):
        deals = deals.filter(created_at__date__lte=end)
    sort = filters.get("sort", "")
    fields = DEAL_SORTS.get(sort.lstrip("-"))
    if fields is None:
        return deals.order_by("-created_at", "-pk")
    if sort.startswith("-"):
        return deals.order_by(*(f"-{name}" for name in fields))
    return deals.order_by(*fields)


def bulk_approvable_for(user) -> QuerySet[Deal]:
    """Submitted registrations in the user's queue whose conflict check ran and found
    nothing: the ones a CM may approve several at a time."""
    return review_queue_for(user).filter(
        conflicts_checked_at__isnull=False, conflict_score__isnull=True
    )


def review_queue_for(user) -> QuerySet[Deal]:
    """Submitted registrations the user may decide, oldest first (vendor staff only)."""
    if not (user.is_authenticated and user.is_vendor_staff):
        return Deal.objects.none()
    return (
        deals_visible_to(user)
        .filter(status=DealStatus.SUBMITTED)
        .select_related("partner", "registered_by")
        .order_by("submitted_at", "pk")
    )


def extension_requests_for(user) -> QuerySet[Deal]:
    if not (user.is_authenticated and user.is_vendor_staff):
        return Deal.objects.none()
    return (
        deals_visible_to(user)
        .filter(status=DealStatus.APPROVED, extension_requested_until__isnull=False)
        .select_related("partner")
        .order_by("protected_until", "pk")
    )


@dataclass(frozen=True)
class ConflictView:
    """One conflict as the CM sees it from ``deal``'s side: the counterpart and the reasons."""

    score: int
    reasons: list[str]  # rendered in the reader's language
    other_deal: Deal | None
    direct_account: object | None
    other_in_scope: bool  # whether the CM may open the other deal's page

    @property
    def is_likely(self) -> bool:
        from deals.matching import LIKELY_THRESHOLD

        return self.score >= LIKELY_THRESHOLD


def conflicts_for(user, deal: Deal) -> list[ConflictView]:
    """Conflicts found for ``deal`` or naming it, for vendor staff; nothing for partners.

    A conflict is stored on the registration that found it; the CM reviewing either side
    sees it. The same counterpart found both ways is shown once, with the higher score.
    """
    if not (user.is_authenticated and user.is_vendor_staff):
        return []
    rows = (
        DealConflict.objects.filter(Q(deal=deal) | Q(other_deal=deal))
        .select_related("deal__partner", "other_deal__partner", "direct_account")
        .order_by("-score", "pk")
    )
    visible = set(
        deals_visible_to(user)
        .filter(pk__in=[pk for row in rows for pk in (row.deal_id, row.other_deal_id) if pk])
        .values_list("pk", flat=True)
    )
    seen: set[tuple[str, int]] = set()
    views = []
    for row in rows:
        if row.direct_account_id:
            key = ("account", row.direct_account_id)
            other = None
        else:
            other = row.other_deal if row.deal_id == deal.pk else row.deal
            key = ("deal", other.pk)
        if key in seen:
            continue
        seen.add(key)
        views.append(
            ConflictView(
                score=row.score,
                reasons=[reason.render(gettext) for reason in row.reason_objects()],
                other_deal=other,
                direct_account=row.direct_account,
                other_in_scope=other is not None and other.pk in visible,
            )
        )
    return views


def history_of(deal: Deal) -> QuerySet[DealEvent]:
    """The deal's history, oldest first (the caller already fetched ``deal`` in scope)."""
    return deal.events.select_related("actor").order_by("at", "pk")


def catalogue_for_registration() -> QuerySet[Product]:
    return Product.objects.filter(is_active=True).order_by("vendor_sku")


def notifications_for(user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).select_related("deal")


def deals_waiting_on(user, *, limit: int = 20):
    """Work-queue source (prm.core.extensions): registrations and extension requests this user
    may decide, oldest first. At most four queries whatever the number of rows."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from prm.core.extensions import QueueItem

    reviews = review_queue_for(user)
    extensions = extension_requests_for(user)
    total = reviews.count() + extensions.count()
    if not (limit and total):
        return [], total
    items = [
        QueueItem(
            kind=_("Deal registration"),
            title=deal.customer_name,
            url=reverse("deals:detail", kwargs={"pk": deal.pk}),
            waiting_since=deal.submitted_at,
            detail=deal.partner.name
            + (f" · {_('conflict score')} {deal.conflict_score}" if deal.conflict_score else ""),
        )
        for deal in reviews[:limit]
    ]
    items += [
        QueueItem(
            kind=_("Extension request"),
            title=deal.customer_name,
            url=reverse("deals:detail", kwargs={"pk": deal.pk}),
            waiting_since=deal.updated_at,
            detail=deal.partner.name,
        )
        for deal in extensions[:limit]
    ]
    return items, total
