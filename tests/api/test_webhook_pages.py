"""The webhook pages: vendor admins register, follow and delete endpoints; a channel
manager is told which admins to ask; the endpoint page shows the last deliveries with
their answers and a Send again button (its worker round trip: test_webhooks_worker), and
rotates the signing secret (the new one shown once, the old one co-signing for a day)."""

import re
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from prm.webhooks import services
from prm.webhooks.models import Delivery, DeliveryStatus, Endpoint
from prm.webhooks.selectors import RECENT_DELIVERIES
from tests.api.receivers import RESOLVER, FakeDns, Receiver


def test_a_channel_manager_is_told_which_admins_to_ask(cast, acme, client_for):
    for path in ("/settings/webhooks/", "/settings/webhooks/1/"):
        response = client_for(cast.cm_a).get(path)
        assert response.status_code == 403
        page = response.content.decode()
        assert "Only vendor admins manage webhooks" in page
        assert f"mailto:{cast.vendor_admin.email}" in page, "the admin to ask is named"
        assert cast.cm_b.email not in page, "only admins are listed"
    vietnamese = client_for(cast.cm_a)
    vietnamese.cookies["prm_language"] = "vi"
    page = vietnamese.get("/settings/webhooks/").content.decode()
    assert "Chỉ quản trị viên" in page and cast.vendor_admin.email in page
    partner = client_for(cast.partner_a_admin).get("/settings/webhooks/")
    assert partner.status_code == 403
    assert cast.vendor_admin.email not in partner.content.decode(), "partners learn no names"


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(cast, acme, client_for):
    admin = client_for(cast.vendor_admin)
    response = admin.post(
        "/settings/webhooks/",
        {"url": "http://127.0.0.1:9/page-hook", "events": ["deal.approved", "upload.failed"]},
    )
    assert response.status_code == 200
    endpoint = Endpoint.objects.get(url="http://127.0.0.1:9/page-hook")
    assert endpoint.events == ["deal.approved", "upload.failed"]
    assert endpoint.created_by == cast.vendor_admin
    assert endpoint.secret in response.content.decode()
    again = admin.get("/settings/webhooks/").content.decode()
    assert "http://127.0.0.1:9/page-hook" in again
    assert endpoint.secret not in again, "the secret is shown once"
    menu = admin.get("/settings/webhooks/").content.decode()
    assert 'href="/settings/webhooks/"' in menu
    assert 'href="/settings/webhooks/"' not in client_for(cast.cm_a).get("/").content.decode()


def test_a_private_target_is_refused_in_production_with_the_reason(
    cast, acme, client_for, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    settings.WEBHOOKS_RESOLVER = RESOLVER
    FakeDns.reset(intranet_example_com=[["10.0.0.8"]])
    response = client_for(cast.vendor_admin).post(
        "/settings/webhooks/",
        {"url": "https://intranet.example.com/hook", "events": ["deal.approved"]},
    )
    assert response.status_code == 200
    assert "must point to a public address" in response.content.decode()
    assert not Endpoint.objects.filter(url="https://intranet.example.com/hook").exists()


def test_the_endpoint_page_shows_the_last_deliveries_with_their_answers(cast, acme, client_for):
    with Receiver() as receiver:
        receiver.status = 503
        endpoint = services.endpoint_create(
            user=cast.vendor_admin,
            url=f"http://127.0.0.1:{receiver.port}/hook",
            events=["partner.activated"],
        )
        for number in range(RECENT_DELIVERIES + 2):
            services.emit("partner.activated", {"slug": f"p{number}"})
        newest = endpoint.deliveries.order_by("-pk").first()
        services.delivery_attempt(delivery_id=newest.pk)
    assert len(receiver.requests) == 1
    page = client_for(cast.vendor_admin).get(f"/settings/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    table = html.split('data-testid="deliveries"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>\s*<td>", table)
    assert len(rows) == RECENT_DELIVERIES, "the newest deliveries only"
    first_row = table.split("<tbody>")[1].split("</tr>")[0]
    assert "<strong>503</strong>" in first_row and "Pending" in first_row
    assert f'action="/settings/webhooks/deliveries/{newest.pk}/send-again/"' in first_row
    assert "not tried yet" in table, "the others were never attempted"


def test_send_again_and_delete_from_the_page(cast, acme, client_for):
    endpoint = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/hook", events=["partner.activated"]
    )
    [delivery] = services.emit("partner.activated", {"slug": "again"})
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )
    admin = client_for(cast.vendor_admin)
    response = admin.post(f"/settings/webhooks/deliveries/{delivery.pk}/send-again/")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None

    response = admin.post(f"/settings/webhooks/{endpoint.pk}/delete/", follow=True)
    assert "nothing more is sent to http://127.0.0.1:9/hook" in response.content.decode()
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert not Delivery.objects.filter(pk=delivery.pk).exists()


def test_another_vendors_endpoint_and_delivery_answer_404(cast, acme, client_for):
    with schema_context("globex"):
        theirs = services.endpoint_create(
            user=cast.globex_admin, url="http://127.0.0.1:9/theirs", events=["deal.approved"]
        )
        [their_delivery] = services.emit("deal.approved", {"id": 1})
    Endpoint.objects.filter(pk=theirs.pk).delete()  # acme's own rows with those ids, if any
    Delivery.objects.filter(pk=their_delivery.pk).delete()
    admin = client_for(cast.vendor_admin)
    assert admin.get(f"/settings/webhooks/{theirs.pk}/").status_code == 404
    assert admin.post(f"/settings/webhooks/{theirs.pk}/delete/").status_code == 404
    send_again = f"/settings/webhooks/deliveries/{their_delivery.pk}/send-again/"
    assert admin.post(send_again).status_code == 404
    with schema_context("globex"):
        assert Endpoint.objects.filter(pk=theirs.pk).exists()
        their_delivery.refresh_from_db()
        assert their_delivery.next_attempt_at is not None


def _rotate(client, endpoint, **data):
    return client.post(f"/settings/webhooks/{endpoint.pk}/rotate-secret/", data)


def test_an_admin_rotates_the_secret_from_the_page_and_sees_the_new_one_once(
    cast, acme, client_for
):
    endpoint = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/hook", events=["deal.approved"]
    )
    old = endpoint.secret
    admin = client_for(cast.vendor_admin)
    page = admin.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert f'action="/settings/webhooks/{endpoint.pk}/rotate-secret/"' in page
    assert "keeps signing deliveries beside the new one for 24 hours" in page
    assert old not in page

    response = _rotate(admin, endpoint, confirm="on")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and new.startswith("whsec_")
    assert endpoint.previous_secret == old
    shown = response.content.decode().split('data-testid="new-secret"', 1)[1]
    shown = shown.split("</article>", 1)[0]
    assert f"<code>{new}</code>" in shown and old not in shown
    until = timezone.localtime(endpoint.previous_secret_until)
    assert f"The old secret keeps working for 24 hours, until {until:%Y-%m-%d %H:%M}" in shown
    assert (
        timedelta(hours=23) < endpoint.previous_secret_until - timezone.now() <= timedelta(hours=24)
    )
    again = admin.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()
    assert new not in again and old not in again, "the secret is shown once"
    assert 'data-testid="secret-overlap"' in again
    assert "rotating again stops it at once" in again


def test_a_rotation_without_the_confirmation_changes_nothing(cast, acme, client_for):
    endpoint = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/hook", events=["deal.approved"]
    )
    admin = client_for(cast.vendor_admin)

    response = _rotate(admin, endpoint)

    assert response.status_code == 302
    assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    assert Endpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret
    page = admin.get(response["Location"]).content.decode()
    assert "Nothing changed: tick the box to confirm" in page
    assert admin.get(f"/settings/webhooks/{endpoint.pk}/rotate-secret/").status_code == 405


def test_only_vendor_admins_rotate_and_a_foreign_endpoint_is_404(cast, acme, client_for):
    ours = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/ours", events=["deal.approved"]
    )
    for user in (cast.cm_a, cast.partner_a_admin, cast.rep_a1):
        assert _rotate(client_for(user), ours, confirm="on").status_code == 403
    assert Endpoint.objects.get(pk=ours.pk).secret == ours.secret
    with schema_context("globex"):
        theirs = services.endpoint_create(
            user=cast.globex_admin, url="http://127.0.0.1:9/theirs", events=["deal.approved"]
        )
    Endpoint.objects.filter(pk=theirs.pk).delete()  # acme's own row with that id, if any

    response = _rotate(client_for(cast.vendor_admin), theirs, confirm="on")

    assert response.status_code == 404
    with schema_context("globex"):
        assert Endpoint.objects.get(pk=theirs.pk).secret == theirs.secret


def test_the_rotation_needs_the_csrf_token(cast, acme):
    from tests.security.test_csrf import csrf_client

    endpoint = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/hook", events=["deal.approved"]
    )
    client = csrf_client("acme.localhost", cast.vendor_admin)
    path = f"/settings/webhooks/{endpoint.pk}/rotate-secret/"

    forged = client.post(path, {"confirm": "on"})
    token = client.get(f"/settings/webhooks/{endpoint.pk}/").context["csrf_token"]
    sent = client.post(path, {"confirm": "on", "csrfmiddlewaretoken": str(token)})

    assert forged.status_code == 403
    assert sent.status_code == 200
    assert Endpoint.objects.get(pk=endpoint.pk).previous_secret == endpoint.secret


def test_the_rotation_reads_in_vietnamese(cast, acme, client_for):
    endpoint = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:9/hook", events=["deal.approved"]
    )
    admin = client_for(cast.vendor_admin)
    admin.cookies["prm_language"] = "vi"

    page = _rotate(admin, endpoint, confirm="on").content.decode()

    assert "Khóa bí mật cũ vẫn dùng được trong 24 giờ" in page
