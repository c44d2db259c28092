"""Helpers the service modules share: a locked partner row, the acting user's scope, the
vendor's name for e-mails."""

from django.core.exceptions import PermissionDenied

from partners.models import Partner
from prm.accounts.models import User
from prm.tenancy.selectors import current_vendor


def locked_partner(partner: Partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)


def require_in_scope(user: User, partner: Partner) -> None:
    """Vendor staff act only on partners in their scope (a CM: their own partners)."""
    from partners.selectors import partners_visible_to

    if not partners_visible_to(user).filter(pk=partner.pk).exists():
        raise PermissionDenied


def current_vendor_name() -> str:
    return current_vendor().name
