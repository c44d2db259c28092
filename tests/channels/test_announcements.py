"""Announcements to partners chosen by tier or territory: portal and e-mail."""

from django.core import mail

from channels.models import Announcement, AnnouncementRecipient
from channels.services import announcement_email_partners, announcement_publish
from partners.models import Partner, Territory
from tests.partners.helpers import make_partner, make_tiers, queries_for


def test_it_reaches_the_partners_of_the_chosen_tier(cast, acme, django_capture_on_commit_callbacks):
    _registered, silver, _gold = make_tiers()
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=silver)
    with django_capture_on_commit_callbacks() as callbacks:
        announcement = announcement_publish(
            user=cast.vendor_admin,
            title="Silver promo",
            body="10% more",
            tiers=[silver],
            territories=[],
        )
    assert list(announcement.recipients.values_list("partner_id", flat=True)) == [cast.partner_a.pk]
    assert len(callbacks) == 1  # the e-mail task is queued after the commit


def test_it_reaches_the_partners_of_the_chosen_territory(cast, acme):
    dach = Territory.objects.create(name="DACH", countries=["DE", "AT"])
    announcement = announcement_publish(
        user=cast.vendor_admin, title="DACH event", body="Munich", tiers=[], territories=[dach]
    )
    assert list(announcement.recipients.values_list("partner_id", flat=True)) == [cast.partner_b.pk]


def test_it_lets_a_cm_reach_only_their_own_partners(cast, acme):
    announcement = announcement_publish(
        user=cast.cm_a, title="From Carl", body="Hi", tiers=[], territories=[]
    )
    assert set(announcement.recipients.values_list("partner_id", flat=True)) == {cast.partner_a.pk}


def test_it_emails_each_partners_active_users_once(cast, acme, django_capture_on_commit_callbacks):
    announcement = announcement_publish(
        user=cast.cm_a, title="Webinar", body="Thursday", tiers=[], territories=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = announcement_email_partners(announcement_id=announcement.pk)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert sent == 3 and recipients == sorted(
        [cast.partner_a_admin.email, cast.rep_a1.email, cast.rep_a2.email]
    )
    assert "Webinar" in mail.outbox[0].subject and "Thursday" in mail.outbox[0].body
    # A retried task sends nothing twice.
    assert announcement_email_partners(announcement_id=announcement.pk) == 0
    assert len(mail.outbox) == 3


def test_it_publishes_from_the_workspace_page(cast, acme, client_for):
    response = client_for(cast.cm_b).post(
        "/workspace/announcements/", {"title": "Bergmann only", "body": "Hello"}
    )
    assert response.status_code == 302
    assert (
        AnnouncementRecipient.objects.get(announcement__title="Bergmann only").partner
        == cast.partner_b
    )
    page = client_for(cast.rep_b).get("/portal/").content.decode()
    assert "Bergmann only" in page
    assert "Bergmann only" not in client_for(cast.rep_a1).get("/portal/").content.decode()


def test_it_refuses_partner_users(cast, acme, client_for):
    assert (
        client_for(cast.partner_a_admin)
        .post("/workspace/announcements/", {"title": "x", "body": "y"})
        .status_code
        == 403
    )
    assert not Announcement.objects.exists()


def test_it_lists_a_cms_announcements_without_other_cms_ones(cast, acme, client_for):
    announcement_publish(user=cast.cm_a, title="Carl news", body="a", tiers=[], territories=[])
    announcement_publish(user=cast.cm_b, title="Cora news", body="b", tiers=[], territories=[])
    page = client_for(cast.cm_a).get("/workspace/announcements/").content.decode()
    assert "Carl news" in page and "Cora news" not in page


def test_it_keeps_a_constant_number_of_queries_as_announcements_grow(
    cast, acme, client_for, django_assert_max_num_queries
):
    registered, _s, _g = make_tiers()
    dach = Territory.objects.create(name="DACH", countries=["DE"])
    client = client_for(cast.vendor_admin)
    announcement_publish(
        user=cast.vendor_admin, title="First", body="x", tiers=[registered], territories=[dach]
    )
    before = queries_for(client, "/workspace/announcements/")
    for n in range(10):
        make_partner(tier=registered, country="DE")
        announcement_publish(
            user=cast.vendor_admin,
            title=f"News {n}",
            body="x",
            tiers=[registered],
            territories=[dach],
        )
    with django_assert_max_num_queries(before):
        assert queries_for(client, "/workspace/announcements/") == before
