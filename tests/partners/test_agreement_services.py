"""The versioned programme agreement: publish, accept (who, when, version), ask again."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partners import services
from partners.models import AgreementAcceptance, Partner, PartnerStatus
from partners.selectors import accepted_current_agreement
from tests.partners.helpers import make_partner


def test_it_numbers_versions_in_order(cast, acme):
    first = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    second = services.agreement_publish(title="Terms", body="v2", user=cast.vendor_admin)
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(PermissionDenied):
        services.agreement_publish(title="Terms", body="v3", user=cast.cm_a)


def test_it_records_who_accepted_which_version_and_when(cast, acme):
    version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    services.agreement_accept(partner=cast.partner_a, version=version, user=cast.partner_a_admin)
    acceptance = AgreementAcceptance.objects.get(partner=cast.partner_a)
    assert acceptance.version == version and acceptance.accepted_by == cast.partner_a_admin
    assert acceptance.accepted_at is not None


def test_it_activates_an_onboarding_partner_when_its_admin_accepts(cast, acme):
    from partners.memberships import partner_user_create
    from prm.accounts.models import Role

    version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    partner = make_partner(status=PartnerStatus.ONBOARDING)
    admin = partner_user_create(
        email="boss@newco.example", role=Role.PARTNER_ADMIN, partner=partner
    )
    services.agreement_accept(partner=partner, version=version, user=admin)
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE
    change = partner.status_changes.get()
    assert change.changed_by == admin and "v1" in change.reason


def test_it_asks_again_when_a_new_version_is_published(cast, acme):
    v1 = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    services.agreement_accept(partner=cast.partner_a, version=v1, user=cast.partner_a_admin)
    assert accepted_current_agreement(cast.partner_a)
    v2 = services.agreement_publish(title="Terms", body="v2", user=cast.vendor_admin)
    assert not accepted_current_agreement(cast.partner_a)
    with pytest.raises(ValidationError):
        services.agreement_accept(partner=cast.partner_a, version=v1, user=cast.partner_a_admin)
    services.agreement_accept(partner=cast.partner_a, version=v2, user=cast.partner_a_admin)
    assert accepted_current_agreement(cast.partner_a)
    # Already active: stays active, no extra lifecycle step.
    assert Partner.objects.get(pk=cast.partner_a.pk).status == PartnerStatus.ACTIVE


def test_it_lets_only_the_partners_own_admin_accept(cast, acme):
    version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    for outsider in (cast.rep_a1, cast.partner_b_admin, cast.cm_a):
        with pytest.raises(PermissionDenied):
            services.agreement_accept(partner=cast.partner_a, version=version, user=outsider)


def test_it_asks_partner_admins_by_email_when_a_version_is_published(
    cast, acme, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks() as callbacks:
        version = services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    assert len(callbacks) == 1  # the e-mail task, queued after the commit
    services.agreement_accept(partner=cast.partner_b, version=version, user=cast.partner_b_admin)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.agreement_notify_admins(version_id=version.pk)
    assert sent == 1 and [m.to for m in mail.outbox] == [[cast.partner_a_admin.email]]
    assert "/portal/agreement/" in mail.outbox[0].body
    assert "version 1" in mail.outbox[0].subject
