"""Reads on accounts, starting from the acting user."""

from django.db.models import QuerySet

from prm.accounts.models import ApiKey, Role, User


def api_keys_visible_to(user) -> QuerySet[ApiKey]:
    """A user's own keys; a vendor admin sees every key of the vendor (to revoke any)."""
    keys = ApiKey.objects.select_related("user")
    return keys if user.is_vendor_admin else keys.filter(user=user)


def vendor_admins() -> QuerySet[User]:
    """The vendor's active admins, for pages that tell staff whom to ask."""
    return User.objects.filter(role=Role.VENDOR_ADMIN, is_active=True).order_by("email")
