"""Writes on partners: lifecycle, assignment, applications, invitations, users, agreement.

Every function is keyword-only and atomic; e-mails are sent after the commit
(`transaction.on_commit`), so a rolled-back change never e-mails anyone. Rule violations
raise `django.core.exceptions.ValidationError` with a message that says what to do.
Callers pass objects they fetched through a scoped selector; the services check the
role rules that depend on the acting user themselves (a forged request changes nothing).
"""

import functools
import secrets
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from partners.emails import send_email
from partners.history import BULK_REASSIGNMENT
from partners.invitations import invitation_url, token_matches
from partners.models import (
    AgreementAcceptance,
    AgreementVersion,
    ApplicationStatus,
    Invitation,
    Membership,
    Partner,
    PartnerApplication,
    PartnerStatus,
    PartnerStatusChange,
    PartnerType,
    Tier,
)
from partners.rules import Action, require_partner_may
from prm import webhooks
from prm.accounts.models import PARTNER_ROLES, Role, User
from prm.tenancy.selectors import current_vendor
from prm.tenancy.services import vendor_url

INVITATION_DAYS = 7
#: What the acknowledgement e-mail promises an applicant: a decision within this many
#: business days (channel managers see applications in their workspace queue).
APPLICATION_REVIEW_DAYS = 5

#: Where a status may go from each status (terminated is final).
TRANSITIONS: dict[str, frozenset[str]] = {
    PartnerStatus.APPLIED: frozenset({PartnerStatus.ONBOARDING, PartnerStatus.TERMINATED}),
    PartnerStatus.ONBOARDING: frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED}),
    PartnerStatus.ACTIVE: frozenset({PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED}),
    PartnerStatus.SUSPENDED: frozenset({PartnerStatus.ACTIVE, PartnerStatus.TERMINATED}),
    PartnerStatus.TERMINATED: frozenset(),
}

#: Public mail providers: their domain says nothing about the company.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
    }
)


def _locked(partner: Partner) -> Partner:
    return Partner.objects.select_for_update().get(pk=partner.pk)


def _require_scope(by: User, partner: Partner) -> None:
    """Vendor staff act only on partners in their scope (a CM: their own partners)."""
    from partners.selectors import partners_visible_to

    if not partners_visible_to(by).filter(pk=partner.pk).exists():
        raise PermissionDenied


# --- Lifecycle ---------------------------------------------------------------------------


@transaction.atomic
def partner_change_status(
    *, partner: Partner, to_status: str, by: User | None, reason: str = ""
) -> Partner:
    """Move a partner along its lifecycle and record who did it, when and why.

    Activating needs the current programme agreement accepted (the partner admin's
    acceptance does this by itself); suspending and terminating need a reason.
    Terminating is final: the partner's users are deactivated and open invitations
    withdrawn.
    """
    from partners.selectors import accepted_current_agreement

    own_admin_activating = (
        by is not None
        and by.is_partner_admin
        and by.partner.pk == partner.pk
        and to_status == PartnerStatus.ACTIVE  # by accepting the agreement
    )
    if by is not None and not own_admin_activating:
        _require_scope(by, partner)  # partner users have no scope beyond their own partner
        if not by.is_vendor_staff:
            raise PermissionDenied
    partner = _locked(partner)
    if to_status not in TRANSITIONS.get(partner.status, ()):
        raise ValidationError(
            _("A partner that is %(from)s cannot become %(to)s.")
            % {"from": PartnerStatus(partner.status).label, "to": PartnerStatus(to_status).label}
        )
    if to_status == PartnerStatus.ACTIVE and not accepted_current_agreement(partner):
        raise ValidationError(
            _("The partner admin must accept the current programme agreement first.")
        )
    if to_status in (PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED) and not reason.strip():
        raise ValidationError(_("Say why, so the partner and your colleagues know."))
    PartnerStatusChange.objects.create(
        partner=partner,
        from_status=partner.status,
        to_status=to_status,
        changed_by=by,
        reason=reason.strip(),
    )
    partner.status = to_status
    partner.save(update_fields=["status"])
    if to_status == PartnerStatus.ACTIVE:
        webhooks.emit(
            "partner.activated", {"id": partner.pk, "slug": partner.slug, "name": partner.name}
        )
    if to_status == PartnerStatus.TERMINATED:
        # The relationship has ended: its people can no longer log in or join.
        User.objects.filter(membership__partner=partner).update(is_active=False)
        Invitation.objects.filter(
            partner=partner, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    return partner


def _require_vendor_admin(by: User) -> None:
    if not by.is_vendor_admin:
        raise PermissionDenied


@transaction.atomic
def partner_assign(
    *, partner: Partner, channel_manager: User | None, territory=None, by: User
) -> Partner:
    """A vendor admin sets who looks after a partner and which territory it is in."""
    _require_vendor_admin(by)
    if channel_manager is not None and not channel_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    partner = _locked(partner)
    partner.channel_manager = channel_manager
    partner.territory = territory
    partner.save(update_fields=["channel_manager", "territory"])
    return partner


@transaction.atomic
def partners_reassign(*, from_manager: User, to_manager: User, by: User) -> int:
    """Hand every partner of one CM to another (someone leaves or changes region)."""
    _require_vendor_admin(by)
    if not to_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    if from_manager.pk == to_manager.pk:
        raise ValidationError(_("Choose two different channel managers."))
    from partners.models import PartnerApplication

    PartnerApplication.objects.filter(
        channel_manager=from_manager, status=ApplicationStatus.SUBMITTED
    ).update(channel_manager=to_manager)
    # Each moved partner gets a history row (who, when, from whom to whom) like a change
    # made on its own page; one UPDATE and one INSERT per batch, whatever the count.
    partners = list(
        Partner.objects.select_for_update().filter(channel_manager=from_manager).order_by("pk")
    )
    for partner in partners:
        partner.channel_manager = to_manager
    return bulk_update_with_history(
        partners,
        Partner,
        ["channel_manager"],
        batch_size=1000,
        default_user=by,
        default_change_reason=BULK_REASSIGNMENT,
    )


PROFILE_FIELDS = (
    "name",
    "legal_name",
    "website",
    "email_domains",
    "partner_type",
    "country",
    "currency",
)


@transaction.atomic
def partner_update_profile(*, partner: Partner, by: User, **fields) -> Partner:
    """Vendor staff correct a partner's profile; only PROFILE_FIELDS can change here."""
    if not by.is_vendor_staff:
        raise PermissionDenied
    _require_scope(by, partner)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    partner = _locked(partner)
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.save(update_fields=list(fields))
    return partner


@transaction.atomic
def partner_set_tier(*, partner: Partner, tier: Tier | None, by: User) -> Partner:
    if not by.is_vendor_staff:
        raise PermissionDenied
    _require_scope(by, partner)
    partner = _locked(partner)
    partner.tier = tier
    partner.save(update_fields=["tier"])
    return partner


@transaction.atomic
def partner_create(
    *,
    by: User,
    name: str,
    slug: str,
    country: str = "",
    partner_type: str = PartnerType.RESELLER,
    currency: str = "USD",
    channel_manager: User | None = None,
) -> Partner:
    """A vendor admin adds a partner directly; it starts onboarding (agreement not yet
    accepted), like one that came through an approved application."""
    _require_vendor_admin(by)
    slug = slugify(slug)
    if not slug or Partner.objects.filter(slug=slug).exists():
        raise ValidationError(_("Choose a slug that no other partner uses."), code="slug")
    if partner_type not in PartnerType.values:
        raise ValidationError(_("Choose a partner type."), code="partner_type")
    if channel_manager is not None and not channel_manager.is_channel_manager:
        raise ValidationError(_("Choose an active channel manager."))
    return Partner.objects.create(
        name=name.strip(),
        slug=slug,
        country=country.upper(),
        partner_type=partner_type,
        currency=currency.upper(),
        channel_manager=channel_manager,
        status=PartnerStatus.ONBOARDING,
    )


# --- Programme tiers ---------------------------------------------------------------------

#: The largest rank a PositiveSmallIntegerField holds.
MAX_TIER_RANK = 32767


def _tier_errors(
    *,
    tier: Tier | None,
    name: str,
    rank: int,
    min_yearly_sales: Decimal,
    min_certified_reps: int,
    discount_percent: Decimal,
) -> dict[str, str]:
    """Field -> what to fix, for a tier about to be saved (`tier`: the one being edited)."""
    others = Tier.objects.exclude(pk=tier.pk) if tier is not None else Tier.objects.all()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Give the tier a name.")
    elif others.filter(name__iexact=name).exists():
        errors["name"] = _("Another tier is already called %(name)s. Choose another name.") % {
            "name": name
        }
    if rank is None or not 0 <= rank <= MAX_TIER_RANK:
        errors["rank"] = _("Enter a rank from 0 to %(max)s.") % {"max": MAX_TIER_RANK}
    else:
        clash = others.filter(rank=rank).first()
        if clash is not None:
            errors["rank"] = _(
                "%(tier)s already has rank %(rank)s. Each tier needs its own rank."
            ) % {"tier": clash.name, "rank": rank}
    if min_yearly_sales is None or min_yearly_sales < 0:
        errors["min_yearly_sales"] = _("Enter zero or a positive amount.")
    if min_certified_reps is None or min_certified_reps < 0:
        errors["min_certified_reps"] = _("Enter zero or a positive number.")
    if discount_percent is None or not 0 <= discount_percent <= 100:
        errors["discount_percent"] = _("Enter a percentage from 0 to 100.")
    return errors


def _tier_save(*, tier: Tier, by: User, **fields) -> Tier:
    _require_vendor_admin(by)
    unknown = set(fields) - set(TIER_FIELDS)
    if unknown:
        raise ValueError(f"Not tier fields: {sorted(unknown)}")
    for name in ("name", "benefits"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    check = {
        name: fields.get(name, getattr(tier, name)) for name in TIER_FIELDS if name != "benefits"
    }
    errors = _tier_errors(tier=tier if tier.pk else None, **check)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(tier, name, value)
    try:
        with transaction.atomic():
            tier.save()
    except IntegrityError:
        # Another admin saved the same name or rank between the check and the save:
        # the check now sees their tier and says which.
        errors = _tier_errors(tier=tier if tier.pk else None, **check)
        raise ValidationError(
            errors or _("Another tier was saved at the same time. Check the list and try again.")
        ) from None
    return tier


TIER_FIELDS = (
    "name",
    "rank",
    "min_yearly_sales",
    "min_certified_reps",
    "discount_percent",
    "benefits",
)


@transaction.atomic
def tier_create(*, by: User, **fields) -> Tier:
    """A vendor admin adds a tier to the programme; names and ranks are unique."""
    return _tier_save(tier=Tier(), by=by, **fields)


@transaction.atomic
def tier_update(*, tier: Tier, by: User, **fields) -> Tier:
    """A vendor admin changes a tier's name, rank, requirements or benefits."""
    _require_vendor_admin(by)
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    return _tier_save(tier=tier, by=by, **fields)


@transaction.atomic
def tier_delete(*, tier: Tier, by: User) -> None:
    """A vendor admin removes a tier nobody is in (partners are never left tierless by
    accident: they must be moved first)."""
    _require_vendor_admin(by)
    # The row lock makes a concurrent "set this partner's tier" wait for us (its foreign
    # key check needs a share lock on the tier), so no partner slips in after the count.
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    count = Partner.objects.filter(tier=tier).count()
    if count:
        raise ValidationError(
            ngettext(
                "%(count)d partner is in %(tier)s. Move it to another tier first.",
                "%(count)d partners are in %(tier)s. Move them to another tier first.",
                count,
            )
            % {"count": count, "tier": tier.name}
        )
    tier.delete()


# --- Applications ------------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    company_name: str,
    country: str,
    contact_name: str,
    contact_email: str,
    partner_type: str = PartnerType.RESELLER,
    legal_name: str = "",
    website: str = "",
    contact_phone: str = "",
    message: str = "",
    language: str = "",
) -> PartnerApplication:
    """Record a public application and route it to the CM of the applicant's territory."""
    from partners.selectors import territory_for_country

    if PartnerApplication.objects.filter(
        contact_email__iexact=contact_email.strip(), status=ApplicationStatus.SUBMITTED
    ).exists():
        raise ValidationError(
            _(
                "An application from this address is already waiting for review. You will "
                "hear from us by e-mail."
            )
        )
    territory = territory_for_country(country)
    application = PartnerApplication.objects.create(
        company_name=company_name.strip(),
        legal_name=legal_name.strip(),
        website=website,
        country=country.upper(),
        partner_type=partner_type,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        message=message.strip(),
        language=language,
        channel_manager=territory.channel_manager if territory else None,
    )
    _email_applicant_on_commit(application, "application_received", days=APPLICATION_REVIEW_DAYS)
    return application


def _email_applicant_on_commit(application: PartnerApplication, template: str, **extra) -> None:
    """E-mail the applicant, in the language of their application, once this commits."""
    context = {"application": application, "vendor_name": _vendor_name(), **extra}
    transaction.on_commit(
        lambda: send_email(
            to=[application.contact_email],
            template_prefix=f"partners/email/{template}",
            context=context,
            language=application.language,
        )
    )


def _lock_open_application(application: PartnerApplication) -> PartnerApplication:
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("This application has already been reviewed."))
    return application


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "partner"
    slug, n = base, 2
    while Partner.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def application_approve(*, application: PartnerApplication, by: User) -> tuple[Partner, Invitation]:
    """Create the partner in onboarding and invite the applicant as its partner admin."""
    from partners.selectors import territory_for_country

    if not by.is_vendor_staff:
        raise PermissionDenied
    application = _lock_open_application(application)
    if User.objects.filter(email__iexact=application.contact_email).exists():
        raise ValidationError(
            _(
                "%(email)s already has an account here. Reject this application and ask "
                "the partner admin of their company to invite them."
            )
            % {"email": application.contact_email}
        )
    territory = territory_for_country(application.country)
    manager = (
        by
        if by.is_channel_manager
        else application.channel_manager or (territory.channel_manager if territory else None)
    )
    domain = application.contact_email.rpartition("@")[2]
    partner = Partner.objects.create(
        name=application.company_name,
        slug=_unique_slug(application.company_name),
        legal_name=application.legal_name,
        website=application.website,
        email_domains=[] if domain in FREE_MAIL_DOMAINS else [domain],
        partner_type=application.partner_type,
        country=application.country,
        territory=territory,
        status=PartnerStatus.ONBOARDING,
        channel_manager=manager,
        currency=_vendor_currency(),
    )
    PartnerStatusChange.objects.create(
        partner=partner,
        from_status=PartnerStatus.APPLIED,
        to_status=PartnerStatus.ONBOARDING,
        changed_by=by,
        reason=_("Application approved"),
    )
    application.status = ApplicationStatus.APPROVED
    application.reviewed_by = by
    application.reviewed_at = timezone.now()
    application.partner = partner
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "partner"])
    invitation = invitation_create(
        partner=partner,
        email=application.contact_email,
        full_name=application.contact_name,
        role=Role.PARTNER_ADMIN,
        by=by,
        language=application.language,
    )
    return partner, invitation


def _vendor_currency() -> str:
    return current_vendor().reporting_currency


@transaction.atomic
def application_reject(
    *, application: PartnerApplication, by: User, reason: str
) -> PartnerApplication:
    """Decline an application; the reason is kept and e-mailed to the applicant."""
    if not by.is_vendor_staff:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Say why the application is rejected."))
    application = _lock_open_application(application)
    application.status = ApplicationStatus.REJECTED
    application.reviewed_by = by
    application.reviewed_at = timezone.now()
    application.rejection_reason = reason.strip()
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
    _email_applicant_on_commit(application, "application_rejected")
    return application


@transaction.atomic
def application_refer_to_partner(
    *, application: PartnerApplication, partner: Partner, by: User
) -> Invitation:
    """The applicant's e-mail domain belongs to an existing partner: instead of creating
    a second partner, invite them to join that one as a rep (they must accept; nobody is
    added silently). The application is closed with that reason."""
    if not by.is_vendor_staff:
        raise PermissionDenied
    application = _lock_open_application(application)
    invitation = invitation_create(
        partner=partner,
        email=application.contact_email,
        full_name=application.contact_name,
        role=Role.PARTNER_REP,
        by=by,
        language=application.language,
    )
    application.status = ApplicationStatus.REJECTED
    application.reviewed_by = by
    application.reviewed_at = timezone.now()
    application.rejection_reason = _("Invited to join %(partner)s instead.") % {
        "partner": partner.name
    }
    application.partner = partner
    application.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "partner"]
    )
    return invitation


def _vendor_name() -> str:
    return current_vendor().name


# --- Invitations and partner users -------------------------------------------------------


def _may_know_of(by: User | None, existing: User, partner: Partner) -> bool:
    """Whether the inviter may learn that `existing` has an account: vendor admins know
    every user; others only their own partner's people."""
    if by is None or by.is_vendor_admin:
        return True
    return Membership.objects.filter(user=existing, partner=partner).exists()


@transaction.atomic
def invitation_create(
    *,
    partner: Partner,
    email: str,
    role: str,
    by: User | None,
    full_name: str = "",
    language: str = "",
) -> Invitation:
    """Invite someone to `partner` and e-mail them a single-use link.

    Partner admins may only invite to their own partner (the caller passes
    `by.partner`; this checks it again). Re-inviting an address replaces its open link.
    """
    email = email.strip().lower()
    if role not in PARTNER_ROLES:
        raise ValidationError(_("Choose partner admin or sales rep."))
    if (
        by is not None
        and by.is_partner_user
        and (not by.is_partner_admin or by.partner.pk != partner.pk)
    ):
        raise PermissionDenied
    if by is not None and by.is_partner_user:
        require_partner_may(partner, Action.MANAGE_USERS)
    if by is not None and by.is_vendor_staff and not by.is_vendor_admin:
        _require_scope(by, partner)  # a CM invites to their own partners only
    if partner.status == PartnerStatus.TERMINATED:
        raise ValidationError(_("This partnership has ended; nobody can be invited to it."))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and _may_know_of(by, existing, partner):
        raise ValidationError(
            _("%(email)s already has an account on this site.") % {"email": email}
        )
    now = timezone.now()
    # Re-inviting replaces this partner's open link only: another partner's invitation
    # to the same address is theirs to withdraw.
    Invitation.objects.filter(
        partner=partner, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    invitation = Invitation.objects.create(
        partner=partner,
        email=email,
        full_name=full_name.strip(),
        role=role,
        nonce=secrets.token_hex(16),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    context = {
        "invitation": invitation,
        "partner_name": partner.name,
        "vendor_name": _vendor_name(),
        "inviter": str(by) if by else "",
        "role": Role(role).label,
        "url": invitation_url(invitation),
        "days": INVITATION_DAYS,
    }
    if existing is not None:
        # Someone else's account: the inviter sees an invitation like any other (their
        # page must not tell whether the address has an account elsewhere), but no
        # e-mail goes out and the link cannot be accepted (the account exists).
        return invitation
    transaction.on_commit(
        lambda: send_email(
            to=[email],
            template_prefix="partners/email/invitation",
            context=context,
            language=language,
        )
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    if not by.is_vendor_staff and not (
        by.is_partner_admin and by.partner.pk == invitation.partner_id
    ):
        raise PermissionDenied
    if by.is_partner_user:
        require_partner_may(by.partner, Action.MANAGE_USERS)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


class InvitationInvalid(Exception):
    """The link is wrong, used, revoked or expired."""


def invitation_check(*, invitation: Invitation | None, token: str) -> Invitation:
    if invitation is None or not token_matches(invitation, token) or not invitation.is_open:
        raise InvitationInvalid
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    token: str,
    password: str,
    full_name: str = "",
    language: str = "",
) -> User:
    """Create the invited user with their chosen password; the link is then spent."""
    from partners.memberships import partner_user_create

    invitation = invitation_check(
        invitation=Invitation.objects.select_for_update().filter(pk=invitation.pk).first(),
        token=token,
    )
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationInvalid
    validate_password(password, User(email=invitation.email, full_name=full_name))
    user = partner_user_create(
        partner=invitation.partner,
        email=invitation.email,
        password=password,
        role=invitation.role,
        full_name=full_name.strip() or invitation.full_name,
        language=language,
    )
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    return user


def _active_admins(partner: Partner):
    return User.objects.filter(membership__partner=partner, role=Role.PARTNER_ADMIN, is_active=True)


def _check_own_member(actor: User, member: User) -> Membership:
    if not actor.is_partner_admin:
        raise PermissionDenied
    membership = Membership.objects.filter(user=member, partner=actor.partner).first()
    if membership is None:
        raise PermissionDenied
    return membership


@transaction.atomic
def partner_user_set_active(*, actor: User, member: User, active: bool) -> User:
    """A partner admin deactivates (or reactivates) one of their own partner's users."""
    _check_own_member(actor, member)
    require_partner_may(actor.partner, Action.MANAGE_USERS)
    if member.pk == actor.pk and not active:
        raise ValidationError(
            _("You cannot deactivate yourself. Ask another partner admin to do it.")
        )
    member.is_active = active
    member.save(update_fields=["is_active"])
    return member


@transaction.atomic
def partner_user_set_role(*, actor: User, member: User, role: str) -> User:
    """A partner admin makes one of their users an admin or a rep; one admin must stay."""
    membership = _check_own_member(actor, member)
    require_partner_may(actor.partner, Action.MANAGE_USERS)
    if role not in PARTNER_ROLES:
        raise ValidationError(_("Choose partner admin or sales rep."))
    Partner.objects.select_for_update().get(pk=membership.partner_id)
    if (
        member.role == Role.PARTNER_ADMIN
        and role != Role.PARTNER_ADMIN
        and not _active_admins(membership.partner).exclude(pk=member.pk).exists()
    ):
        raise ValidationError(
            _("A partner needs at least one active admin. Make someone else admin first.")
        )
    member.role = role
    member.save(update_fields=["role"])
    return member


# --- Programme agreement -----------------------------------------------------------------


@transaction.atomic
def agreement_publish(*, title: str, body: str, by: User) -> AgreementVersion:
    """Publish a new version; every partner is asked to accept it (again)."""
    _require_vendor_admin(by)
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give the agreement a title and its terms."))
    # Serialise publishers so two versions never get the same number.
    latest = AgreementVersion.objects.select_for_update().order_by("-number").first()
    version = AgreementVersion.objects.create(
        number=(latest.number + 1) if latest else 1,
        title=title.strip(),
        body=body.strip(),
        published_by=by,
    )
    from partners.tasks import email_agreement_published

    email_agreement_published.delay_on_commit(version.pk)
    return version


def agreement_notify_admins(*, version_id: int) -> int:
    """E-mail every active partner admin of a partner in the programme that the version
    waits for their acceptance. Runs inside the task's run-once claim: the e-mails go out
    when it commits."""
    version = AgreementVersion.objects.filter(pk=version_id).first()
    if version is None:
        return 0
    admins = (
        User.objects.filter(
            role=Role.PARTNER_ADMIN,
            is_active=True,
            membership__partner__status__in=[
                PartnerStatus.ONBOARDING,
                PartnerStatus.ACTIVE,
                PartnerStatus.SUSPENDED,
            ],
        )
        .exclude(membership__partner__agreement_acceptances__version=version)
        .select_related("membership__partner")
    )
    vendor_name = _vendor_name()
    url = vendor_url(current_vendor(), reverse("portal:agreement"))
    count = 0
    for admin in admins:
        context = {
            "version": version,
            "partner_name": admin.membership.partner.name,
            "vendor_name": vendor_name,
            "url": url,
            "user": admin,
        }
        transaction.on_commit(
            functools.partial(
                send_email,
                to=[admin.email],
                template_prefix="partners/email/agreement_published",
                context=context,
                language=admin.language,
            )
        )
        count += 1
    return count


@transaction.atomic
def agreement_accept(*, partner: Partner, version: AgreementVersion, by: User) -> Partner:
    """A partner admin accepts `version` for their partner; an onboarding partner whose
    admin accepts the current version becomes active."""
    from partners.selectors import current_agreement

    if not by.is_partner_admin or by.partner.pk != partner.pk:
        raise PermissionDenied
    require_partner_may(partner, Action.ACCEPT_AGREEMENT)
    current = current_agreement()
    if current is None or version.pk != current.pk:
        raise ValidationError(_("A newer version has been published. Read it and accept that one."))
    AgreementAcceptance.objects.get_or_create(
        partner=partner, version=version, defaults={"accepted_by": by}
    )
    partner = _locked(partner)
    if partner.status == PartnerStatus.ONBOARDING:
        partner = partner_change_status(
            partner=partner,
            to_status=PartnerStatus.ACTIVE,
            by=by,
            reason=_("Programme agreement v%(number)s accepted") % {"number": version.number},
        )
    return partner
