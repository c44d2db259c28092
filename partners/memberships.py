"""Creating partner users: a partner user exists only together with its membership."""

from django.db import transaction

from partners.models import Membership, Partner
from prm.accounts.models import PARTNER_ROLES, Role, User
from prm.accounts.services import account_create


@transaction.atomic
def partner_user_create(
    *,
    partner: Partner,
    email: str,
    role: Role | str,
    password: str | None = None,
    full_name: str = "",
    language: str = "",
) -> User:
    """Create a partner admin or rep of `partner` in the current vendor schema.

    A `None` password leaves the account unusable until the user sets one through an
    invitation or password-reset link.
    """
    if role not in PARTNER_ROLES:
        raise ValueError("Only partner roles belong to a partner.")
    user = account_create(
        email=email, role=role, password=password, full_name=full_name, language=language
    )
    Membership.objects.create(user=user, partner=partner)
    return user
