"""Writes on partners, one module per capability; import them from here.

- lifecycle: status changes (with history), profile edits, direct creation;
- assignment: a partner's channel manager and territory, reassigning a CM's partners;
- tiers: the programme's tiers and the tier a partner is in;
- applications: public applications and their review;
- invitations: single-use links to join a partner;
- users: a partner admin's own users (active, role);
- agreements: publishing and accepting the programme agreement.

Every function is keyword-only and atomic, and the acting user is passed as `user=`.
E-mails are sent after the commit (`transaction.on_commit`), so a rolled-back change never
e-mails anyone. Rule violations raise `django.core.exceptions.ValidationError` with a
message that says what to do. Callers pass objects they fetched through a scoped
selector; the services check the role rules that depend on the acting user themselves
(a forged request changes nothing).
"""

from partners.services.agreements import (
    agreement_accept,
    agreement_notify_admins,
    agreement_publish,
)
from partners.services.applications import (
    APPLICATION_REVIEW_DAYS,
    FREE_MAIL_DOMAINS,
    application_approve,
    application_refer_to_partner,
    application_reject,
    application_submit,
)
from partners.services.assignment import partner_assign, partners_reassign
from partners.services.invitations import (
    INVITATION_DAYS,
    InvitationInvalid,
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_revoke,
)
from partners.services.lifecycle import (
    PROFILE_FIELDS,
    TRANSITIONS,
    partner_change_status,
    partner_create,
    partner_update_profile,
)
from partners.services.tiers import (
    MAX_TIER_RANK,
    TIER_FIELDS,
    partner_set_tier,
    tier_create,
    tier_delete,
    tier_update,
)
from partners.services.users import partner_user_set_active, partner_user_set_role

__all__ = [
    "APPLICATION_REVIEW_DAYS",
    "FREE_MAIL_DOMAINS",
    "INVITATION_DAYS",
    "MAX_TIER_RANK",
    "PROFILE_FIELDS",
    "TIER_FIELDS",
    "TRANSITIONS",
    "InvitationInvalid",
    "agreement_accept",
    "agreement_notify_admins",
    "agreement_publish",
    "application_approve",
    "application_refer_to_partner",
    "application_reject",
    "application_submit",
    "invitation_accept",
    "invitation_check",
    "invitation_create",
    "invitation_revoke",
    "partner_assign",
    "partner_change_status",
    "partner_create",
    "partner_set_tier",
    "partner_update_profile",
    "partner_user_set_active",
    "partner_user_set_role",
    "partners_reassign",
    "tier_create",
    "tier_delete",
    "tier_update",
]
