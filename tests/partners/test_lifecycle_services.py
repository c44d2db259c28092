"""Partner lifecycle, assignment and tiers: each state change through its service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners import services
from partners.models import AgreementAcceptance, Partner, PartnerStatus, PartnerStatusChange
from tests.partners.helpers import make_partner, make_tiers


def test_it_records_who_changed_a_status_and_when(cast, acme):
    partner = services.partner_change_status(
        partner=cast.partner_a,
        to_status=PartnerStatus.SUSPENDED,
        user=cast.cm_a,
        reason="Unpaid invoices",
    )
    assert partner.status == PartnerStatus.SUSPENDED
    change = PartnerStatusChange.objects.get(partner=cast.partner_a)
    assert (change.from_status, change.to_status) == (PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED)
    assert change.changed_by == cast.cm_a and change.reason == "Unpaid invoices"
    assert change.changed_at is not None


def test_it_refuses_a_transition_the_lifecycle_does_not_allow(cast, acme):
    terminated = make_partner(status=PartnerStatus.TERMINATED)
    with pytest.raises(ValidationError):
        services.partner_change_status(
            partner=terminated, to_status=PartnerStatus.ACTIVE, user=cast.vendor_admin
        )
    onboarding = make_partner(status=PartnerStatus.ONBOARDING)
    with pytest.raises(ValidationError):
        services.partner_change_status(
            partner=onboarding,
            to_status=PartnerStatus.SUSPENDED,
            user=cast.vendor_admin,
            reason="x",
        )
    assert not PartnerStatusChange.objects.filter(partner__in=[terminated, onboarding]).exists()


def test_it_asks_for_a_reason_to_suspend_or_terminate(cast, acme):
    with pytest.raises(ValidationError):
        services.partner_change_status(
            partner=cast.partner_a, to_status=PartnerStatus.TERMINATED, user=cast.cm_a
        )


def test_it_activates_only_after_the_current_agreement_is_accepted(cast, acme):
    version = services.agreement_publish(title="Terms", body="Be nice.", user=cast.vendor_admin)
    partner = make_partner(status=PartnerStatus.ONBOARDING)
    with pytest.raises(ValidationError):
        services.partner_change_status(
            partner=partner, to_status=PartnerStatus.ACTIVE, user=cast.vendor_admin
        )
    AgreementAcceptance.objects.create(
        partner=partner, version=version, accepted_by=cast.vendor_admin
    )
    partner = services.partner_change_status(
        partner=partner, to_status=PartnerStatus.ACTIVE, user=cast.vendor_admin
    )
    assert partner.status == PartnerStatus.ACTIVE


def test_it_lets_only_vendor_admins_assign_partners(cast, acme):
    with pytest.raises(PermissionDenied):
        services.partner_assign(partner=cast.partner_a, channel_manager=cast.cm_a, user=cast.cm_a)
    partner = services.partner_assign(
        partner=cast.partner_a, channel_manager=cast.cm_b, user=cast.vendor_admin
    )
    assert Partner.objects.get(pk=partner.pk).channel_manager == cast.cm_b


def test_it_refuses_to_assign_a_partner_to_someone_who_is_not_a_cm(cast, acme):
    with pytest.raises(ValidationError):
        services.partner_assign(
            partner=cast.partner_a, channel_manager=cast.rep_a1, user=cast.vendor_admin
        )


def test_it_reassigns_every_partner_of_one_cm_to_another(cast, acme):
    extra = make_partner(channel_manager=cast.cm_a)
    moved = services.partners_reassign(
        from_manager=cast.cm_a, to_manager=cast.cm_b, user=cast.vendor_admin
    )
    assert moved == 2
    assert set(Partner.objects.filter(channel_manager=cast.cm_b).values_list("pk", flat=True)) == {
        cast.partner_a.pk,
        cast.partner_b.pk,
        extra.pk,
    }


def test_it_sets_a_tier(cast, acme):
    registered, silver, _gold = make_tiers()
    partner = services.partner_set_tier(partner=cast.partner_a, tier=silver, user=cast.cm_a)
    assert Partner.objects.get(pk=partner.pk).tier == silver
    with pytest.raises(PermissionDenied):
        services.partner_set_tier(
            partner=cast.partner_a, tier=registered, user=cast.partner_a_admin
        )


def test_it_deactivates_users_and_withdraws_invitations_on_termination(cast, acme):
    from prm.accounts.models import Role, User

    invitation = services.invitation_create(
        partner=cast.partner_a, email="late@ardent.example", role=Role.PARTNER_REP, user=cast.cm_a
    )
    services.partner_change_status(
        partner=cast.partner_a,
        to_status=PartnerStatus.TERMINATED,
        user=cast.vendor_admin,
        reason="Contract ended",
    )
    assert not User.objects.filter(membership__partner=cast.partner_a, is_active=True).exists()
    assert User.objects.get(pk=cast.rep_b.pk).is_active
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_it_records_the_first_status_of_a_partner_added_in_the_admin(cast, acme, client_for):
    response = client_for(cast.vendor_admin).post(
        "/admin/partners/partner/add/",
        {
            "name": "Admin Made",
            "slug": "admin-made",
            "partner_type": "reseller",
            "currency": "USD",
            "email_domains": "",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = PartnerStatusChange.objects.get(partner__slug="admin-made")
    assert change.changed_by == cast.vendor_admin and change.to_status == PartnerStatus.ACTIVE


def test_it_refuses_status_changes_by_partner_users(cast, acme):
    for outsider in (cast.rep_a1, cast.partner_a_admin, cast.partner_b_admin):
        with pytest.raises(PermissionDenied):
            services.partner_change_status(
                partner=cast.partner_a, to_status=PartnerStatus.SUSPENDED, user=outsider, reason="x"
            )


def test_it_refuses_a_cm_acting_on_another_cms_partner(cast, acme):
    from prm.accounts.models import Role

    with pytest.raises(PermissionDenied):
        services.partner_change_status(
            partner=cast.partner_a, to_status=PartnerStatus.SUSPENDED, user=cast.cm_b, reason="x"
        )
    with pytest.raises(PermissionDenied):
        services.partner_set_tier(partner=cast.partner_a, tier=None, user=cast.cm_b)
    with pytest.raises(PermissionDenied):
        services.partner_update_profile(partner=cast.partner_a, user=cast.cm_b, name="Hijacked")
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            partner=cast.partner_a,
            email="x@ardent.example",
            role=Role.PARTNER_ADMIN,
            user=cast.cm_b,
        )
    assert Partner.objects.get(pk=cast.partner_a.pk).name == "Ardent Systems"
