"""Reads for the workspace: announcements and a CM's portfolio."""

from django.db.models import Count, Q, QuerySet

from channels.models import Announcement, AnnouncementRecipient
from partners.selectors import partners_visible_to, restrict_to_partners, with_user_count


def portfolio_for(user) -> QuerySet:
    """ "My partners": those the user may act on, with what the workspace shows."""
    return (
        with_user_count(partners_visible_to(user))
        .select_related("tier", "territory", "channel_manager")
        .order_by("name", "pk")
    )


def announcements_visible_to(user) -> QuerySet[Announcement]:
    """Vendor admins see every announcement; a CM those they wrote or that reached one of
    their partners; partner users those that reached their partner."""
    base = (
        Announcement.objects.select_related("author")
        .prefetch_related("tiers", "territories")
        .annotate(partner_count=Count("recipients", distinct=True))
        .order_by("-published_at", "-pk")
    )
    if user.is_vendor_admin:
        return base
    reached = restrict_to_partners(AnnouncementRecipient.objects.all(), user)
    if user.is_channel_manager:
        return base.filter(Q(author=user) | Q(pk__in=reached.values("announcement_id")))
    if user.is_partner_user:
        return base.filter(pk__in=reached.values("announcement_id"))
    return base.none()


def announcements_for_partner(partner, *, limit: int = 5) -> list[Announcement]:
    return list(
        Announcement.objects.filter(recipients__partner=partner).order_by("-published_at")[:limit]
    )
