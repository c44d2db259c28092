"""Tier progress: where a partner stands against the next tier's requirements.

Yearly sales come from whatever app knows them: an app that records sales adds a source
in its AppConfig.ready (`registry.add_sales_source`, prm/core/extensions.py). A source is
called as `source(partner_ids, since)` and returns `{partner_id: Decimal}` in the vendor's
reporting currency (one query for many partners, so list pages stay flat). Results of all
sources are added up. With no source registered, sales are unknown (None) and progress
shows only what is known (certified reps).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from partners.models import Membership, Tier
from prm.core.extensions import registry


def yearly_sales(partner_ids: Iterable[int], *, today: date | None = None) -> dict[int, Decimal]:
    """Sales of the last 365 days per partner, or {} when no app reports sales yet."""
    ids = list(partner_ids)
    sources = registry.sales_sources()
    if not sources or not ids:
        return {}
    since = (today or timezone.localdate()) - timedelta(days=365)
    totals: dict[int, Decimal] = {}
    for source in sources:
        for partner_id, amount in source(ids, since).items():
            totals[partner_id] = totals.get(partner_id, Decimal(0)) + Decimal(amount)
    return totals


def certified_reps(partner_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Membership.objects.filter(partner_id__in=list(partner_ids), user__is_active=True)
        .values("partner_id")
        .annotate(n=Count("pk", filter=Q(certified_on__isnull=False)))
    )
    return {row["partner_id"]: row["n"] for row in rows}


@dataclass(frozen=True)
class TierProgress:
    current: Tier | None
    next: Tier | None
    sales: Decimal | None  # None: no sales figures available yet
    certified_reps: int

    @property
    def sales_needed(self) -> Decimal | None:
        if self.next is None or self.sales is None:
            return None
        return max(self.next.min_yearly_sales - self.sales, Decimal(0))

    @property
    def reps_needed(self) -> int:
        if self.next is None:
            return 0
        return max(self.next.min_certified_reps - self.certified_reps, 0)

    @property
    def sales_percent(self) -> int | None:
        if self.next is None or self.sales is None:
            return None
        if not self.next.min_yearly_sales:
            return 100
        return min(int(self.sales * 100 / self.next.min_yearly_sales), 100)

    @property
    def reps_percent(self) -> int:
        if self.next is None or not self.next.min_certified_reps:
            return 100
        return min(self.certified_reps * 100 // self.next.min_certified_reps, 100)

    @property
    def qualifies_for_next(self) -> bool:
        return self.next is not None and self.sales_needed == 0 and self.reps_needed == 0


def tier_progress(partner, *, sales: Decimal | None = None, today: date | None = None):
    """Progress of one partner toward the tier above its current one.

    `sales` may be passed by a caller that already knows the figure; otherwise the
    registered sources are asked.
    """
    if sales is None and registry.sales_sources():
        sales = yearly_sales([partner.pk], today=today).get(partner.pk, Decimal(0))
    current = partner.tier
    tiers = Tier.objects.all()
    if current is not None:
        tiers = tiers.filter(rank__gt=current.rank)
    return TierProgress(
        current=current,
        next=tiers.order_by("rank").first(),
        sales=sales,
        certified_reps=certified_reps([partner.pk]).get(partner.pk, 0),
    )


def tier_earned(tiers: list[Tier], *, sales: Decimal | None, reps: int) -> Tier | None:
    """The best tier whose requirements `sales` and `reps` meet (None: none, or sales
    unknown while a tier asks for sales)."""
    earned = None
    for tier in sorted(tiers, key=lambda t: t.rank):
        needs_sales = tier.min_yearly_sales > 0
        if needs_sales and (sales is None or sales < tier.min_yearly_sales):
            continue
        if reps < tier.min_certified_reps:
            continue
        earned = tier
    return earned


def tier_upgrades_waiting_on(user, *, limit: int = 20):
    """Work-queue source (prm.core.extensions): active partners in the user's scope whose real
    figures now earn a better tier than they have. Four queries for any number of
    partners (partners, tiers, certified reps, and each registered sales source)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from partners.models import PartnerStatus
    from partners.selectors import partners_visible_to
    from prm.core.extensions import QueueItem

    if not user.is_vendor_staff:
        return [], 0
    tiers = list(Tier.objects.all())
    if not tiers:
        return [], 0
    partners = list(
        partners_visible_to(user).filter(status=PartnerStatus.ACTIVE).select_related("tier")
    )
    ids = [partner.pk for partner in partners]
    sales = yearly_sales(ids)
    reps = certified_reps(ids)
    now = timezone.now()
    items = []
    for partner in partners:
        earned = tier_earned(
            tiers,
            sales=sales.get(partner.pk, Decimal(0) if registry.sales_sources() else None),
            reps=reps.get(partner.pk, 0),
        )
        if earned and (partner.tier is None or earned.rank > partner.tier.rank):
            items.append(
                QueueItem(
                    kind=_("Tier review"),
                    title=partner.name,
                    url=reverse("partners:detail", kwargs={"pk": partner.pk}),
                    waiting_since=now,
                    detail=_("qualifies for %(tier)s") % {"tier": earned.name},
                )
            )
    return items[:limit], len(items)
