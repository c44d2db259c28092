"""Applications: submit, approve (partner + invitation e-mail), reject, refer."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from partners import services
from partners.invitations import invitation_path
from partners.models import (
    ApplicationStatus,
    Invitation,
    PartnerStatus,
    PartnerStatusChange,
    Territory,
)
from prm.accounts.models import Role
from tests.partners.helpers import make_application


def test_it_routes_an_application_to_the_cm_of_its_territory(cast, acme):
    Territory.objects.create(name="DACH", countries=["DE", "AT", "CH"], channel_manager=cast.cm_b)
    application = services.application_submit(
        company_name="Alpen IT",
        country="at",
        contact_name="Udo",
        contact_email="Udo@Alpen.example",
    )
    assert application.channel_manager == cast.cm_b
    assert application.country == "AT" and application.contact_email == "udo@alpen.example"
    assert application.status == ApplicationStatus.SUBMITTED


def test_it_leaves_an_application_for_any_cm_when_no_territory_covers_it(cast, acme):
    application = services.application_submit(
        company_name="Kiwi IT", country="NZ", contact_name="Kim", contact_email="k@kiwi.example"
    )
    assert application.channel_manager is None


def test_it_creates_an_onboarding_partner_and_invites_the_applicant_on_approval(
    cast, acme, django_capture_on_commit_callbacks
):
    application = make_application(
        company_name="Nimbus Cloud",
        contact_name="Nia",
        contact_email="nia@nimbus.example",
        country="US",
    )
    with django_capture_on_commit_callbacks(execute=True):
        partner, invitation = services.application_approve(application=application, user=cast.cm_a)
    assert partner.status == PartnerStatus.ONBOARDING
    assert partner.slug == "nimbus-cloud" and partner.email_domains == ["nimbus.example"]
    assert partner.channel_manager == cast.cm_a
    change = PartnerStatusChange.objects.get(partner=partner)
    assert (change.to_status, change.changed_by) == (PartnerStatus.ONBOARDING, cast.cm_a)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.reviewed_by == cast.cm_a and application.partner == partner
    assert invitation.role == Role.PARTNER_ADMIN and invitation.email == "nia@nimbus.example"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nia@nimbus.example"]
    assert "Nimbus Cloud" in message.subject
    assert f"http://acme.localhost{invitation_path(invitation)}" in message.body


def test_it_does_not_take_a_free_mail_domain_as_the_partner_domain(cast, acme):
    application = make_application(contact_email="someone@gmail.com")
    partner, _invitation = services.application_approve(
        application=application, user=cast.vendor_admin
    )
    assert partner.email_domains == []


def test_it_reviews_an_application_only_once(cast, acme):
    application = make_application()
    services.application_approve(application=application, user=cast.cm_a)
    with pytest.raises(ValidationError):
        services.application_approve(application=application, user=cast.cm_a)
    with pytest.raises(ValidationError):
        services.application_reject(application=application, user=cast.cm_a, reason="late")


def test_it_refuses_approval_by_a_partner_user(cast, acme):
    with pytest.raises(PermissionDenied):
        services.application_approve(application=make_application(), user=cast.partner_a_admin)


def test_it_records_and_emails_the_reason_of_a_rejection(
    cast, acme, django_capture_on_commit_callbacks
):
    application = make_application(contact_email="x@nope.example")
    with pytest.raises(ValidationError):
        services.application_reject(application=application, user=cast.cm_a, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, user=cast.cm_a, reason="No presence in our markets yet."
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.rejection_reason == "No presence in our markets yet."
    assert application.reviewed_by == cast.cm_a and application.reviewed_at
    assert mail.outbox[0].to == ["x@nope.example"]
    assert "No presence in our markets yet." in mail.outbox[0].body


def test_it_invites_an_applicant_to_the_existing_partner_of_their_domain(cast, acme):
    application = make_application(contact_email="new.person@ardent.example")
    invitation = services.application_refer_to_partner(
        application=application, partner=cast.partner_a, user=cast.cm_a
    )
    assert invitation.partner == cast.partner_a and invitation.role == Role.PARTNER_REP
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    # Nobody was added: only an invitation the person must accept.
    assert not cast.partner_a.memberships.filter(user__email="new.person@ardent.example").exists()
    assert Invitation.objects.filter(email="new.person@ardent.example").count() == 1


def test_it_writes_the_invitation_in_the_language_the_applicant_used(
    cast, acme, django_capture_on_commit_callbacks
):
    application = make_application(
        company_name="Công ty Sao Mai",
        language="vi",
        contact_email="lan@saomai.example",
        country="VN",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, user=cast.vendor_admin)
    message = mail.outbox[0]
    assert message.subject.startswith("Bạn được mời tham gia Công ty Sao Mai")
    assert "Mở liên kết này để chọn mật khẩu" in message.body
