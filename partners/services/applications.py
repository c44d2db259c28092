"""Public partner applications: submit, approve (a new partner and its admin's
invitation), reject, or refer to an existing partner."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partners.emails import send_email
from partners.models import (
    ApplicationStatus,
    Invitation,
    Partner,
    PartnerApplication,
    PartnerStatus,
    PartnerStatusChange,
    PartnerType,
)
from partners.services._shared import current_vendor_name
from partners.services.invitations import invitation_create
from prm.accounts.models import Role, User
from prm.tenancy.selectors import current_vendor

#: What the acknowledgement e-mail promises an applicant: a decision within this many
#: business days (channel managers see applications in their workspace queue).
APPLICATION_REVIEW_DAYS = 5


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
    context = {"application": application, "vendor_name": current_vendor_name(), **extra}
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
def application_approve(
    *, application: PartnerApplication, user: User
) -> tuple[Partner, Invitation]:
    """Create the partner in onboarding and invite the applicant as its partner admin."""
    from partners.selectors import territory_for_country

    if not user.is_vendor_staff:
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
        user
        if user.is_channel_manager
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
        changed_by=user,
        reason=_("Application approved"),
    )
    application.status = ApplicationStatus.APPROVED
    application.reviewed_by = user
    application.reviewed_at = timezone.now()
    application.partner = partner
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "partner"])
    invitation = invitation_create(
        partner=partner,
        email=application.contact_email,
        full_name=application.contact_name,
        role=Role.PARTNER_ADMIN,
        user=user,
        language=application.language,
    )
    return partner, invitation


def _vendor_currency() -> str:
    return current_vendor().reporting_currency


@transaction.atomic
def application_reject(
    *, application: PartnerApplication, user: User, reason: str
) -> PartnerApplication:
    """Decline an application; the reason is kept and e-mailed to the applicant."""
    if not user.is_vendor_staff:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Say why the application is rejected."))
    application = _lock_open_application(application)
    application.status = ApplicationStatus.REJECTED
    application.reviewed_by = user
    application.reviewed_at = timezone.now()
    application.rejection_reason = reason.strip()
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason"])
    _email_applicant_on_commit(application, "application_rejected")
    return application


@transaction.atomic
def application_refer_to_partner(
    *, application: PartnerApplication, partner: Partner, user: User
) -> Invitation:
    """The applicant's e-mail domain belongs to an existing partner: instead of creating
    a second partner, invite them to join that one as a rep (they must accept; nobody is
    added silently). The application is closed with that reason."""
    if not user.is_vendor_staff:
        raise PermissionDenied
    application = _lock_open_application(application)
    invitation = invitation_create(
        partner=partner,
        email=application.contact_email,
        full_name=application.contact_name,
        role=Role.PARTNER_REP,
        user=user,
        language=application.language,
    )
    application.status = ApplicationStatus.REJECTED
    application.reviewed_by = user
    application.reviewed_at = timezone.now()
    application.rejection_reason = _("Invited to join %(partner)s instead.") % {
        "partner": partner.name
    }
    application.partner = partner
    application.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "rejection_reason", "partner"]
    )
    return invitation
