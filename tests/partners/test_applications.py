"""CMs review applications: list, detail, approve, reject, domain-match suggestion."""

from django.core import mail

from partners.models import ApplicationStatus, Partner, PartnerApplication, PartnerStatus
from tests.partners.helpers import make_application, queries_for


def test_it_lists_applications_routed_to_the_cm_or_to_nobody(cast, acme, client_for):
    make_application(company_name="Mine Co", channel_manager=cast.cm_a)
    make_application(company_name="Theirs Co", channel_manager=cast.cm_b)
    make_application(company_name="Open Co")
    page = client_for(cast.cm_a).get("/partners/applications/").content.decode()
    assert "Mine Co" in page and "Open Co" in page and "Theirs Co" not in page


def test_it_answers_404_to_a_cm_on_another_cms_application(cast, acme, client_for):
    application = make_application(channel_manager=cast.cm_a)
    client = client_for(cast.cm_b)
    assert client.get(f"/partners/applications/{application.pk}/").status_code == 404
    assert client.post(f"/partners/applications/{application.pk}/approve/").status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_it_approves_an_application_into_an_onboarding_partner(
    cast, acme, client_for, django_capture_on_commit_callbacks
):
    application = make_application(
        company_name="Helix Data", channel_manager=cast.cm_a, contact_email="hal@helix.example"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.cm_a).post(
            f"/partners/applications/{application.pk}/approve/", follow=True
        )
    partner = Partner.objects.get(name="Helix Data")
    assert partner.status == PartnerStatus.ONBOARDING and partner.channel_manager == cast.cm_a
    assert "Helix Data is now onboarding" in response.content.decode()
    assert mail.outbox[0].to == ["hal@helix.example"]


def test_it_rejects_with_a_reason(cast, acme, client_for):
    application = make_application(channel_manager=cast.cm_a)
    client = client_for(cast.cm_a)
    client.post(f"/partners/applications/{application.pk}/reject/", {"reason": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    client.post(
        f"/partners/applications/{application.pk}/reject/", {"reason": "Outside our markets"}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.rejection_reason == "Outside our markets"


def test_it_suggests_the_existing_partner_of_the_applicants_domain(cast, acme, client_for):
    Partner.objects.filter(pk=cast.partner_a.pk).update(email_domains=["ardent.example"])
    application = make_application(channel_manager=cast.cm_a, contact_email="ivy@ardent.example")
    client = client_for(cast.cm_a)
    page = client.get(f"/partners/applications/{application.pk}/").content.decode()
    assert "Invite them to join Ardent Systems instead" in page
    # Still only a suggestion: nobody joined.
    assert not cast.partner_a.memberships.filter(user__email="ivy@ardent.example").exists()
    client.post(f"/partners/applications/{application.pk}/refer/{cast.partner_a.pk}/")
    assert cast.partner_a.invitations.filter(email="ivy@ardent.example").exists()


def test_it_never_suggests_a_partner_outside_the_reviewers_scope(cast, acme, client_for):
    Partner.objects.filter(pk=cast.partner_b.pk).update(email_domains=["bergmann.example"])
    application = make_application(contact_email="x@bergmann.example")
    client = client_for(cast.cm_a)
    page = client.get(f"/partners/applications/{application.pk}/").content.decode()
    assert "Bergmann" not in page
    response = client.post(f"/partners/applications/{application.pk}/refer/{cast.partner_b.pk}/")
    assert response.status_code == 404


def test_it_keeps_a_constant_number_of_queries_as_applications_grow(
    cast, acme, client_for, django_assert_max_num_queries
):
    client = client_for(cast.vendor_admin)
    make_application(channel_manager=cast.cm_a)
    before = queries_for(client, "/partners/applications/")
    for _ in range(15):
        make_application(channel_manager=cast.cm_a)
    with django_assert_max_num_queries(before):
        assert queries_for(client, "/partners/applications/") == before
    assert PartnerApplication.objects.count() == 16
