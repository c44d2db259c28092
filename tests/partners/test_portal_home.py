"""The partner portal home: status, tier and progress, announcements, users, agreement."""

from channels.models import Announcement, AnnouncementRecipient
from partners import services
from partners.models import Partner
from tests.partners.helpers import make_tiers


def test_it_shows_status_tier_and_progress(cast, acme, client_for):
    registered, _silver, _gold = make_tiers()
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=registered)
    page = client_for(cast.rep_a1).get("/portal/").content.decode()
    assert 'data-testid="partner-status">Active' in page
    assert "Current tier: <strong>Registered</strong>" in page
    assert "Next tier: Silver" in page


def test_it_shows_announcements_that_reached_the_partner_only(cast, acme, client_for):
    for_a = Announcement.objects.create(title="News for Ardent", body="Hello A", author=cast.cm_a)
    AnnouncementRecipient.objects.create(announcement=for_a, partner=cast.partner_a)
    for_b = Announcement.objects.create(title="News for Bergmann", body="Hello B", author=cast.cm_b)
    AnnouncementRecipient.objects.create(announcement=for_b, partner=cast.partner_b)
    page = client_for(cast.rep_a1).get("/portal/").content.decode()
    assert "News for Ardent" in page and "News for Bergmann" not in page


def test_it_shows_users_to_partner_admins_only(cast, acme, client_for):
    admin_page = client_for(cast.partner_a_admin).get("/portal/").content.decode()
    rep_page = client_for(cast.rep_a1).get("/portal/").content.decode()
    assert "Your users" in admin_page and "Anna" in admin_page
    assert "Your users" not in rep_page


def test_it_asks_the_admin_to_accept_a_new_agreement(cast, acme, client_for):
    services.agreement_publish(title="Terms", body="v1", user=cast.vendor_admin)
    page = client_for(cast.partner_a_admin).get("/portal/").content.decode()
    assert "Read and accept the agreement" in page
    rep_page = client_for(cast.rep_a1).get("/portal/").content.decode()
    assert "Your partner admin needs to accept" in rep_page


def test_it_refuses_vendor_staff(cast, acme, client_for):
    assert client_for(cast.cm_a).get("/portal/").status_code == 403
