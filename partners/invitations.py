"""Invitation links: single-use, expiring, and not derivable from the database alone.

The token is an HMAC (keyed by SECRET_KEY) of the invitation's id, nonce and e-mail.
The database keeps no token, so reading it does not let anyone accept an invitation;
anyone holding SECRET_KEY (the app, and tests running with the same settings) can build
the link for a given row. Single use and expiry are enforced by the row's state.
"""

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from prm.tenancy.selectors import current_vendor
from prm.tenancy.services import vendor_url

_SALT = "partners.invitation"


def invitation_token(invitation) -> str:
    value = f"{invitation.pk}:{invitation.nonce}:{invitation.email.lower()}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:40]


def token_matches(invitation, token: str) -> bool:
    return constant_time_compare(invitation_token(invitation), token)


def invitation_path(invitation) -> str:
    return reverse(
        "partners:invitation_accept",
        kwargs={"pk": invitation.pk, "token": invitation_token(invitation)},
    )


def invitation_url(invitation) -> str:
    """The absolute link for the e-mail, on the vendor's own host."""
    return vendor_url(current_vendor(), invitation_path(invitation))
