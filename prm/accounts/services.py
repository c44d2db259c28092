"""Writes on users.

Partner users belong to a partner from the moment they exist, so they are created by
partners.memberships.partner_user_create (which calls `account_create` and adds the
membership in the same transaction); this module knows nothing of partners.
"""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from prm.accounts.models import PARTNER_ROLES, ApiKey, Role, User


@transaction.atomic
def account_create(
    *,
    email: str,
    role: Role | str,
    password: str | None = None,
    full_name: str = "",
    language: str = "",
) -> User:
    """The account alone, for any role; callers add what the role needs (a membership).

    A `None` password leaves the account unusable until the user sets one through an
    invitation or password-reset link.
    """
    return User.objects.create_user(
        email=email,
        password=password,
        role=role,
        full_name=full_name,
        language=language,
        # Vendor admins run their programme in their own schema's Django admin; being
        # superuser there cannot reach another schema (users and sessions are per schema).
        is_staff=role == Role.VENDOR_ADMIN,
        is_superuser=role == Role.VENDOR_ADMIN,
    )


def user_create(
    *,
    email: str,
    role: Role | str,
    password: str | None = None,
    full_name: str = "",
    language: str = "",
) -> User:
    """Create a vendor staff user in the current vendor schema."""
    if role in PARTNER_ROLES:
        raise ValueError("Partner users need a partner: use partners.memberships.")
    return account_create(
        email=email, role=role, password=password, full_name=full_name, language=language
    )


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


# --- API keys ---------------------------------------------------------------------------

#: Keys look like `prm_<43 url-safe characters>`; the prefix names a key in lists.
API_KEY_PREFIX = "prm_"
#: A key's last-used time is written at most this often (seconds): not one write per call.
API_KEY_TOUCH_SECONDS = 60


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, user: User, name: str) -> tuple[ApiKey, str]:
    """A new key for `user`; returns the row and the key, which is never stored or shown again."""
    if not user.is_active:
        raise ValueError("Deactivated users cannot get API keys.")
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey.objects.create(
        user=user, name=name.strip() or "API key", prefix=key[:12], digest=api_key_digest(key)
    )
    return row, key


@transaction.atomic
def api_key_revoke(*, user: User, key_id: int) -> ApiKey:
    """Revoke one of the user's own keys, or (vendor admin) any key of the vendor.

    A key outside what `user` may revoke is reported as missing, not forbidden.
    """
    keys = ApiKey.objects.select_for_update()
    if not user.is_vendor_admin:
        keys = keys.filter(user=user)
    row = keys.filter(pk=key_id).first()
    if row is None:
        raise ApiKey.DoesNotExist
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = timezone.now(), user
        row.save(update_fields=["revoked_at", "revoked_by"])
    return row


def api_key_authenticate(key: str) -> ApiKey | None:
    """The live key (with its active user) that `key` is, or None; notes when it was used."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    row = (
        ApiKey.objects.select_related("user")
        .filter(digest=api_key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > API_KEY_TOUCH_SECONDS:
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, language: str, time_zone: str) -> User:
    """Save what a user changed about themselves (the form has checked the choices)."""
    user.full_name = full_name.strip()
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["full_name", "language", "time_zone"])
    return user
