"""The programme agreement: vendor admins publish versions, partner admins accept them
(which activates an onboarding partner), partner admins are e-mailed each new version."""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from partners.emails import send_email
from partners.models import AgreementAcceptance, AgreementVersion, Partner, PartnerStatus
from partners.rules import Action, require_partner_may
from partners.services._shared import current_vendor_name, locked_partner
from partners.services.lifecycle import partner_change_status
from prm.accounts.access import require_vendor_admin
from prm.accounts.models import Role, User
from prm.tenancy.selectors import current_vendor
from prm.tenancy.services import vendor_url


@transaction.atomic
def agreement_publish(*, title: str, body: str, user: User) -> AgreementVersion:
    """Publish a new version; every partner is asked to accept it (again)."""
    require_vendor_admin(user)
    if not title.strip() or not body.strip():
        raise ValidationError(_("Give the agreement a title and its terms."))
    # Serialise publishers so two versions never get the same number.
    latest = AgreementVersion.objects.select_for_update().order_by("-number").first()
    version = AgreementVersion.objects.create(
        number=(latest.number + 1) if latest else 1,
        title=title.strip(),
        body=body.strip(),
        published_by=user,
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
    vendor_name = current_vendor_name()
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
def agreement_accept(*, partner: Partner, version: AgreementVersion, user: User) -> Partner:
    """A partner admin accepts `version` for their partner; an onboarding partner whose
    admin accepts the current version becomes active."""
    from partners.selectors import current_agreement

    if not user.is_partner_admin or user.partner.pk != partner.pk:
        raise PermissionDenied
    require_partner_may(partner, Action.ACCEPT_AGREEMENT)
    current = current_agreement()
    if current is None or version.pk != current.pk:
        raise ValidationError(_("A newer version has been published. Read it and accept that one."))
    AgreementAcceptance.objects.get_or_create(
        partner=partner, version=version, defaults={"accepted_by": user}
    )
    partner = locked_partner(partner)
    if partner.status == PartnerStatus.ONBOARDING:
        partner = partner_change_status(
            partner=partner,
            to_status=PartnerStatus.ACTIVE,
            user=user,
            reason=_("Programme agreement v%(number)s accepted") % {"number": version.number},
        )
    return partner
