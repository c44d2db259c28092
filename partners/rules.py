"""What a partner's people may still do in each lifecycle status.

- applied: no portal (partner users do not exist yet).
- onboarding: log in, read, accept the programme agreement, manage their users; no deals
  or sales reports before the agreement is accepted (which activates the partner).
- active: everything their role allows.
- suspended: read-only (the reason is shown on every portal page); accepting a new
  agreement version is still possible.
- terminated: no login at all (users are deactivated, and login refuses them anyway).

Services call `require_partner_may(partner, action)`; the portal shows
`restriction_for(partner)` so people know why a button does nothing.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partners.models import PartnerStatus


class Action(StrEnum):
    LOG_IN = "log_in"
    ACCEPT_AGREEMENT = "accept_agreement"
    MANAGE_USERS = "manage_users"
    #: Register and change deals, upload and map sales reports.
    WRITE = "write"


ALLOWED: dict[str, frozenset[Action]] = {
    PartnerStatus.APPLIED: frozenset(),
    PartnerStatus.ONBOARDING: frozenset(
        {Action.LOG_IN, Action.ACCEPT_AGREEMENT, Action.MANAGE_USERS}
    ),
    PartnerStatus.ACTIVE: frozenset(Action),
    PartnerStatus.SUSPENDED: frozenset({Action.LOG_IN, Action.ACCEPT_AGREEMENT}),
    PartnerStatus.TERMINATED: frozenset(),
}


def partner_may(partner, action: Action) -> bool:
    return action in ALLOWED.get(partner.status, frozenset())


def latest_reason(partner) -> str:
    change = partner.status_changes.filter(to_status=partner.status).order_by("-pk").first()
    return change.reason if change else ""


def restriction_for(partner) -> str:
    """Why the partner's people cannot do everything right now ("" when they can)."""
    if partner.status == PartnerStatus.ONBOARDING:
        return _(
            "Your partnership starts when your partner admin accepts the programme "
            "agreement. Until then you cannot register deals or upload sales reports."
        )
    if partner.status == PartnerStatus.SUSPENDED:
        reason = latest_reason(partner)
        text = _(
            "Your partnership is suspended: you can read your data but not change it. "
            "Contact your channel manager."
        )
        if reason:
            text += " " + _("Reason: %(reason)s") % {"reason": reason}
        return text
    if partner.status in (PartnerStatus.TERMINATED, PartnerStatus.APPLIED):
        return _("This partnership is not active.")
    return ""


def require_partner_may(partner, action: Action) -> None:
    if not partner_may(partner, action):
        raise ValidationError(restriction_for(partner) or _("This partnership is not active."))


def login_refusal(user) -> str | None:
    """Login check (registered in PartnersConfig.ready): the error code of the login form
    when the user's partner may not log in, else None."""
    partner = user.partner
    if partner is not None and not partner_may(partner, Action.LOG_IN):
        return "partnership_ended"
    return None
