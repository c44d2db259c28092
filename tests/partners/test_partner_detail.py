"""A partner's page for vendor staff: users, history, status changes, assignment."""

from partners.models import Partner, PartnerStatus, PartnerStatusChange


def test_it_shows_the_partners_users_to_its_cm(cast, acme, client_for):
    page = client_for(cast.cm_a).get(f"/partners/{cast.partner_a.pk}/").content.decode()
    assert cast.rep_a1.email in page and cast.partner_a_admin.email in page
    assert cast.rep_b.email not in page


def test_it_answers_404_to_another_cm(cast, acme, client_for):
    assert client_for(cast.cm_b).get(f"/partners/{cast.partner_a.pk}/").status_code == 404
    response = client_for(cast.cm_b).post(
        f"/partners/{cast.partner_a.pk}/status/", {"to_status": "suspended", "reason": "x"}
    )
    assert response.status_code == 404
    assert Partner.objects.get(pk=cast.partner_a.pk).status == PartnerStatus.ACTIVE


def test_it_changes_the_status_and_shows_it_in_the_history(cast, acme, client_for):
    client = client_for(cast.cm_a)
    response = client.post(
        f"/partners/{cast.partner_a.pk}/status/",
        {"to_status": "suspended", "reason": "Overdue reports"},
    )
    assert response.status_code == 302
    change = PartnerStatusChange.objects.get(partner=cast.partner_a)
    assert change.changed_by == cast.cm_a
    page = client.get(f"/partners/{cast.partner_a.pk}/").content.decode()
    assert "Overdue reports" in page and "Carl Manager" in page


def test_it_explains_a_refused_status_change(cast, acme, client_for):
    client = client_for(cast.cm_a)
    response = client.post(
        f"/partners/{cast.partner_a.pk}/status/", {"to_status": "suspended"}, follow=True
    )
    assert "Say why" in response.content.decode()


def test_it_lets_only_a_vendor_admin_reassign_a_partner(cast, acme, client_for):
    data = {"channel_manager": cast.cm_b.pk, "territory": ""}
    assert (
        client_for(cast.cm_a).post(f"/partners/{cast.partner_a.pk}/assign/", data).status_code
        == 403
    )
    assert (
        client_for(cast.vendor_admin)
        .post(f"/partners/{cast.partner_a.pk}/assign/", data)
        .status_code
        == 302
    )
    assert Partner.objects.get(pk=cast.partner_a.pk).channel_manager == cast.cm_b
    # Once reassigned, the previous CM no longer reaches it.
    assert client_for(cast.cm_a).get(f"/partners/{cast.partner_a.pk}/").status_code == 404


def test_it_lets_the_cm_invite_a_first_partner_admin(
    cast, acme, client_for, django_capture_on_commit_callbacks
):
    from django.core import mail

    from partners.models import Invitation

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.cm_a).post(
            f"/partners/{cast.partner_a.pk}/invite/",
            {"email": "chief@ardent.example", "role": "partner_admin"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="chief@ardent.example")
    assert invitation.partner == cast.partner_a and invitation.invited_by == cast.cm_a
    assert mail.outbox[0].to == ["chief@ardent.example"]
    assert (
        client_for(cast.cm_b)
        .post(
            f"/partners/{cast.partner_a.pk}/invite/",
            {"email": "x@ardent.example", "role": "partner_admin"},
        )
        .status_code
        == 404
    )


def test_it_offers_only_the_status_changes_the_lifecycle_allows(cast, acme, client_for):
    page = client_for(cast.cm_a).get(f"/partners/{cast.partner_a.pk}/").content.decode()
    assert 'value="suspended"' in page and 'value="terminated"' in page
    assert 'value="onboarding"' not in page and 'value="applied"' not in page


def test_it_lets_the_cm_correct_the_profile_but_never_the_slug(cast, acme, client_for):
    client = client_for(cast.cm_a)
    assert client.get(f"/partners/{cast.partner_a.pk}/edit/").status_code == 200
    response = client.post(
        f"/partners/{cast.partner_a.pk}/edit/",
        {
            "name": "Ardent Systems Inc",
            "legal_name": "Ardent Systems Inc.",
            "website": "ardent.example",
            "email_domains": "Ardent.example; @ardent.io",
            "partner_type": "msp",
            "country": "ca",
            "currency": "cad",
            "slug": "hijacked",
            "status": "terminated",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    assert (partner.name, partner.partner_type, partner.country, partner.currency) == (
        "Ardent Systems Inc",
        "msp",
        "CA",
        "CAD",
    )
    assert partner.email_domains == ["ardent.example", "ardent.io"]
    assert partner.website == "https://ardent.example"
    assert partner.slug == "ardent" and partner.status == PartnerStatus.ACTIVE


def test_it_explains_a_wrong_domain_and_answers_404_to_another_cm(cast, acme, client_for):
    page = (
        client_for(cast.cm_a)
        .post(
            f"/partners/{cast.partner_a.pk}/edit/",
            {
                "name": "Ardent",
                "email_domains": "not a domain",
                "partner_type": "reseller",
                "currency": "USD",
            },
        )
        .content.decode()
    )
    assert "These are not e-mail domains" in page
    assert client_for(cast.cm_b).get(f"/partners/{cast.partner_a.pk}/edit/").status_code == 404
