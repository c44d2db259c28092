"""Dates and times on the deal pages in the reader's language and time zone: a CM in
Ho Chi Minh City reading Vietnamese and one in New York reading English see the same
moment each in their own way."""

from datetime import UTC, date, datetime

from django.utils import translation

from deals.models import Deal, Notification
from deals.notifications import render

# 22:30 UTC on 2 March is 05:30 on 3 March in Ho Chi Minh City (UTC+7) and 17:30 on
# 2 March in New York (UTC-5 in March before the clocks change).
SUBMITTED = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
PROTECTED = date(2026, 6, 1)


def _reader(user, language, zone):
    user.language, user.time_zone = language, zone
    user.save(update_fields=["language", "time_zone"])
    return user


def _approved(register, cast):
    deal = register(cast.rep_a1)
    Deal.objects.filter(pk=deal.pk).update(submitted_at=SUBMITTED, protected_until=PROTECTED)
    return deal


def test_the_deal_page_shows_the_readers_zone_and_format(cast, acme, register, client_for):
    deal = _approved(register, cast)
    saigon = client_for(_reader(cast.cm_a, "vi", "Asia/Ho_Chi_Minh"))
    new_york = client_for(_reader(cast.vendor_admin, "en", "America/New_York"))

    vietnamese = saigon.get(f"/deals/{deal.pk}/").content.decode()
    english = new_york.get(f"/deals/{deal.pk}/").content.decode()

    assert "03/03/2026 05:30" in vietnamese
    assert 'data-testid="protected-until">01/06/2026<' in vietnamese
    assert "03/02/2026 5:30 p.m." in english
    assert 'data-testid="protected-until">06/01/2026<' in english
    assert "2026-03-02" not in vietnamese + english


def test_the_review_queue_shows_when_it_was_submitted_in_the_readers_zone(
    cast, acme, register, client_for
):
    _approved(register, cast)
    Deal.objects.update(status="submitted")
    page = client_for(_reader(cast.cm_a, "vi", "Asia/Ho_Chi_Minh")).get("/deals/review/")

    assert "03/03/2026 05:30" in page.content.decode()


def test_a_notification_date_follows_the_readers_language(cast, acme, register):
    deal = _approved(register, cast)
    notification = Notification(
        recipient=cast.rep_a1,
        deal=deal,
        kind=Notification.Kind.EXTENSION_GRANTED,
        params={"customer": "Blue Harbor", "until": PROTECTED.isoformat()},
    )
    with translation.override("vi"):
        vietnamese = render(notification)[1]
    with translation.override("en"):
        english = render(notification)[1]

    assert "01/06/2026" in vietnamese
    assert "06/01/2026" in english
