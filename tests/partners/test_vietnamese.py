"""The partner pages render in Vietnamese (translations with placeholders included)."""

from channels.services import announcement_publish
from partners import services
from partners.models import Partner
from tests.partners.helpers import make_application, make_tiers


def vietnamese(client):
    client.cookies["prm_language"] = "vi"
    return client


def test_it_renders_the_vendor_pages_in_vietnamese(cast, acme, client_for):
    registered, _s, _g = make_tiers()
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=registered)
    application = make_application(channel_manager=cast.cm_a)
    client = vietnamese(client_for(cast.cm_a))
    expected = {
        "/partners/": "đối tác",
        f"/partners/{cast.partner_a.pk}/": "Tiến độ xếp hạng",
        "/partners/applications/": "Đơn đăng ký đối tác",
        f"/partners/applications/{application.pk}/": "Chấp thuận",
        "/workspace/": "Đang chờ bạn",
        "/workspace/announcements/": "Thông báo mới",
    }
    for url, text in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_it_renders_the_portal_in_vietnamese(cast, acme, client_for):
    registered, _s, _g = make_tiers()
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=registered)
    services.agreement_publish(title="Điều khoản", body="v1", user=cast.vendor_admin)
    announcement_publish(user=cast.cm_a, title="Tin mới", body="Xin chào", tiers=[], territories=[])
    client = vietnamese(client_for(cast.partner_a_admin))
    page = client.get("/portal/").content.decode()
    assert "Hạng hiện tại: <strong>Registered</strong>" in page and "Tin mới" in page
    assert "Đọc và chấp nhận thỏa thuận" in page
    assert "Người dùng của Ardent Systems" in client.get("/portal/users/").content.decode()
