"""Each user's language and time zone: chosen once, kept on the account."""

from prm.accounts.middleware import user_time_zone
from prm.accounts.models import User
from tests.cast import PASSWORD


def _log_in(client, user) -> None:
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_it_keeps_the_language_chosen_in_the_switcher_after_logging_out_and_in(
    cast, acme, client_for
):
    client = client_for(None)
    _log_in(client, cast.rep_a1)
    client.post("/i18n/setlang/", {"language": "vi", "next": "/portal/"})
    client.post("/logout/")

    # Another browser, no language cookie: the account remembers.
    elsewhere = client_for(None)
    _log_in(elsewhere, cast.rep_a1)
    page = elsewhere.get("/portal/").content.decode()
    assert 'lang="vi"' in page and "Đăng xuất" in page
    assert User.objects.get(pk=cast.rep_a1.pk).language == "vi"


def test_it_lets_a_visitor_switch_language_without_an_account(cast, acme, client_for):
    client = client_for(None)
    client.post("/i18n/setlang/", {"language": "vi", "next": "/login/"})
    assert 'lang="vi"' in client.get("/login/").content.decode()


def test_it_saves_name_language_and_time_zone_on_the_profile_page(cast, acme, client_for):
    client = client_for(cast.partner_a_admin)
    page = client.get("/account/profile/").content.decode()
    assert "Asia/Ho_Chi_Minh" in page
    response = client.post(
        "/account/profile/",
        {"full_name": "Ana Ardent", "language": "vi", "time_zone": "Asia/Ho_Chi_Minh"},
        follow=True,
    )
    assert 'lang="vi"' in response.content.decode()
    user = User.objects.get(pk=cast.partner_a_admin.pk)
    assert (user.full_name, user.language, user.time_zone) == (
        "Ana Ardent",
        "vi",
        "Asia/Ho_Chi_Minh",
    )


def test_it_refuses_a_time_zone_that_does_not_exist(cast, acme, client_for):
    response = client_for(cast.rep_a1).post(
        "/account/profile/", {"full_name": "", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert User.objects.get(pk=cast.rep_a1.pk).time_zone == ""


def test_it_falls_back_to_the_vendors_time_zone(cast, acme):
    acme_vendor = cast.acme
    acme_vendor.time_zone = "Europe/Berlin"
    assert user_time_zone(cast.rep_a1, acme_vendor) == "Europe/Berlin"
    cast.rep_a1.time_zone = "Asia/Ho_Chi_Minh"
    try:
        assert user_time_zone(cast.rep_a1, acme_vendor) == "Asia/Ho_Chi_Minh"
    finally:
        cast.rep_a1.time_zone = ""
        acme_vendor.time_zone = "UTC"


def test_it_shows_times_in_the_users_time_zone_else_the_vendors(cast, acme, client_for):
    page = client_for(cast.vendor_admin).get("/account/profile/").content.decode()
    assert 'data-testid="time-zone">UTC<' in page
    User.objects.filter(pk=cast.vendor_admin.pk).update(time_zone="Asia/Ho_Chi_Minh")
    page = client_for(cast.vendor_admin).get("/account/profile/").content.decode()
    assert 'data-testid="time-zone">Asia/Ho_Chi_Minh<' in page
