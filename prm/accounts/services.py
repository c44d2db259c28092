"""Writes on users."""

from django.db import transaction

from prm.accounts.models import PARTNER_ROLES, Role, User


@transaction.atomic
def user_create(
    *,
    email: str,
    role: Role | str,
    password: str | None = None,
    full_name: str = "",
    partner=None,
    language: str = "",
) -> User:
    """Create a user in the current vendor schema; partner roles need a partner.

    A `None` password leaves the account unusable until the user sets one through an
    invitation or password-reset link.
    """
    from partners.models import Membership

    if (role in PARTNER_ROLES) != (partner is not None):
        raise ValueError("Partner users need exactly one partner; vendor staff none.")
    user = User.objects.create_user(
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
    if partner is not None:
        Membership.objects.create(user=user, partner=partner)
    return user


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
