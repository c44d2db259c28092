"""Expected answers for the partners app: directory, applications, agreement, tiers, portal,
and the public pages of the vendor host (apply, invitation links)."""

from datetime import timedelta

from django.utils import timezone

from tests.authz import (
    NOT_FOUND,
    OK,
    Expect,
    everyone,
    partner_a_object_for_staff,
    partner_admins_only,
    partner_users_only,
    vendor_admin_only,
    vendor_staff_only,
)

REDIRECT = 302


def application_for_cm_a(cast, *, email="lead@ardent.example"):
    """An application routed to cm_a (so cm_b is an outsider), created in the test's
    rolled-back transaction."""
    from partners.models import PartnerApplication

    application, _ = PartnerApplication.objects.get_or_create(
        contact_email=email,
        defaults={
            "company_name": "Lead Co",
            "country": "US",
            "contact_name": "Lee",
            "channel_manager": cast.cm_a,
        },
    )
    return application


def referable_application(cast):
    from partners.models import Partner

    Partner.objects.filter(pk=cast.partner_a.pk).update(email_domains=["ardent.example"])
    return {"pk": application_for_cm_a(cast).pk, "partner_pk": cast.partner_a.pk}


def invitation_of_partner_a(cast):
    from partners.models import Invitation

    now = timezone.now()
    invitation = Invitation.objects.create(
        partner=cast.partner_a,
        email="newbie@ardent.example",
        role="partner_rep",
        nonce="n" * 32,
        expires_at=now + timedelta(days=7),
    )
    return {"pk": invitation.pk}


def tier_of_acme(cast):
    """A tier nobody is in, created in the test's rolled-back transaction."""
    from partners.models import Tier

    tier, _ = Tier.objects.get_or_create(name="Authz tier", defaults={"rank": 90})
    return {"pk": tier.pk}


def forged_tier(cast):
    """A valid-looking tier, so a write that got through would show."""
    return {
        "name": "Forged",
        "rank": 91,
        "min_yearly_sales": "0",
        "min_certified_reps": "0",
        "discount_percent": "50",
    }


partner_a_users_admin_action = partner_admins_only(REDIRECT, partner_b_admin=NOT_FOUND)

EXPECTATIONS = {
    "partners:list": Expect(vendor_staff_only()),
    "partners:export": Expect(vendor_staff_only(), kwargs=lambda cast: {"fmt": "csv"}),
    "partners:detail": Expect(
        partner_a_object_for_staff(), kwargs=lambda cast: {"pk": cast.partner_a.pk}
    ),
    "partners:edit": Expect(
        partner_a_object_for_staff(), kwargs=lambda cast: {"pk": cast.partner_a.pk}
    ),
    "partners:status": Expect(
        partner_a_object_for_staff(REDIRECT),
        method="post",
        kwargs=lambda cast: {"pk": cast.partner_a.pk},
    ),
    "partners:tier": Expect(
        partner_a_object_for_staff(REDIRECT),
        method="post",
        kwargs=lambda cast: {"pk": cast.partner_a.pk},
        data=lambda cast: {"tier": ""},
    ),
    "partners:assign": Expect(
        vendor_admin_only(REDIRECT),
        method="post",
        kwargs=lambda cast: {"pk": cast.partner_a.pk},
        data=lambda cast: {"channel_manager": cast.cm_a.pk, "territory": ""},
    ),
    "partners:invite": Expect(
        partner_a_object_for_staff(REDIRECT),
        method="post",
        kwargs=lambda cast: {"pk": cast.partner_a.pk},
    ),
    "partners:applications": Expect(vendor_staff_only()),
    "partners:application": Expect(
        partner_a_object_for_staff(), kwargs=lambda cast: {"pk": application_for_cm_a(cast).pk}
    ),
    "partners:application_approve": Expect(
        partner_a_object_for_staff(REDIRECT),
        method="post",
        kwargs=lambda cast: {"pk": application_for_cm_a(cast).pk},
    ),
    "partners:application_reject": Expect(
        partner_a_object_for_staff(REDIRECT),
        method="post",
        kwargs=lambda cast: {"pk": application_for_cm_a(cast).pk},
    ),
    "partners:application_refer": Expect(
        partner_a_object_for_staff(REDIRECT),
        method="post",
        kwargs=referable_application,
    ),
    "partners:agreements": Expect(vendor_staff_only()),
    "partners:tiers": Expect(vendor_staff_only()),
    "partners:tier_create": Expect(vendor_admin_only(REDIRECT), method="post", data=forged_tier),
    "partners:tier_edit": Expect(
        vendor_admin_only(REDIRECT),
        method="post",
        kwargs=tier_of_acme,
        data=forged_tier,
    ),
    "partners:tier_delete": Expect(vendor_admin_only(REDIRECT), method="post", kwargs=tier_of_acme),
    "partners:apply": Expect(everyone(OK)),
    "partners:apply_done": Expect(everyone(OK)),
    "partners:invitation_accept": Expect(
        everyone(NOT_FOUND), kwargs=lambda cast: {"pk": 999999, "token": "not-a-token"}
    ),
    "portal:home": Expect(partner_users_only()),
    "portal:users": Expect(partner_admins_only()),
    "portal:user_active": Expect(
        partner_a_users_admin_action,
        method="post",
        kwargs=lambda cast: {"pk": cast.rep_a1.pk},
        data=lambda cast: {"active": "1"},
    ),
    "portal:user_role": Expect(
        partner_a_users_admin_action,
        method="post",
        kwargs=lambda cast: {"pk": cast.rep_a1.pk},
        data=lambda cast: {"role": "partner_rep"},
    ),
    "portal:invitation_revoke": Expect(
        partner_a_users_admin_action,
        method="post",
        kwargs=invitation_of_partner_a,
    ),
    "portal:agreement": Expect(partner_users_only()),
}
