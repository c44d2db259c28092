"""Reads on partners, and the one rule every app uses to scope rows by partner.

product.md "Visibility rules": a vendor admin sees every partner of the tenant, a channel
manager the partners assigned to them, a partner user only their own partner.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from partners.models import Partner


def partner_scope(user, *, via: str = "partner") -> Q:
    """A filter on any model that reaches a Partner through the lookup path `via`.

    Returns a filter that matches nothing for users with no partner scope, so a new role
    sees nothing until someone decides otherwise.
    """
    prefix = f"{via}__" if via else ""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_vendor_admin:
        return Q()
    if user.is_channel_manager:
        return Q(**{f"{prefix}channel_manager": user})
    if user.is_partner_user:
        return Q(**{f"{prefix}pk" if via else "pk": user.partner.pk})
    return Q(pk__in=[])


def restrict_to_partners(queryset: QuerySet, user, *, via: str = "partner") -> QuerySet:
    """`queryset` narrowed to the rows of partners `user` may see."""
    return queryset.filter(partner_scope(user, via=via))


def partners_visible_to(user) -> QuerySet[Partner]:
    return restrict_to_partners(Partner.objects.all(), user, via="")


def get_partner_for(user, pk: int) -> Partner:
    """One partner, or 404 when it is outside the user's scope (it may not even exist)."""
    return get_object_or_404(partners_visible_to(user), pk=pk)
