"""Webhook rules without a worker: which targets are allowed, retries for a day, events."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deals import services as deal_services
from deals.models import Product
from partners.models import Partner, PartnerStatus
from partners.services import partner_change_status
from prm.webhooks import services
from prm.webhooks.models import Delivery, DeliveryStatus, Endpoint
from prm.webhooks.targets import check_target


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata service
        "https://[::1]/hook",
        "http://93.184.216.34/hook",  # public, but plain http
        "ftp://93.184.216.34/hook",
    ],
)
def test_it_refuses_private_loopback_and_plain_http_targets_in_production(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ValidationError):
        check_target(url)


def test_it_allows_public_https_in_production_and_local_targets_in_development(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    check_target("https://93.184.216.34/hook")
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    check_target("http://127.0.0.1:9000/hook")


def _setting_under(env_name: str) -> str:
    env = dict(os.environ, PRM_ENV=env_name, SECRET_KEY="k" * 60)
    env.pop("WEBHOOKS_ALLOW_PRIVATE_TARGETS", None)
    env.pop("WEBHOOKS_ALLOWED_NETWORKS", None)
    code = (
        "from django.conf import settings; "
        "print(settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS, settings.WEBHOOKS_ALLOWED_NETWORKS)"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_it_refuses_private_targets_in_production_settings_and_allows_them_in_development():
    assert _setting_under("production") == "False []", "no private address in production"
    assert _setting_under("development") == "True []"


def test_it_lets_only_vendor_admins_register_endpoints(cast, acme):
    with pytest.raises(PermissionDenied):
        services.endpoint_create(
            user=cast.cm_a, url="http://127.0.0.1:1/", events=["deal.approved"]
        )
    with pytest.raises(ValidationError):
        services.endpoint_create(
            user=cast.vendor_admin, url="http://127.0.0.1:1/", events=["deal.bogus"]
        )


class _Failing:
    """A receiver that always answers 503."""

    def __enter__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["content-length"]))
                self.send_response(503)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_it_retries_with_growing_pauses_for_a_day_then_gives_up(cast, acme):
    with _Failing() as url:
        endpoint = services.endpoint_create(
            user=cast.vendor_admin, url=url, events=["partner.activated"]
        )
        [delivery] = services.emit("partner.activated", {"slug": "x"})
        pauses = []
        while True:
            before = timezone.now()
            delivery = services.delivery_attempt(delivery_id=delivery.pk)
            if delivery.status != DeliveryStatus.PENDING:
                break
            pauses.append((delivery.next_attempt_at - before).total_seconds())
            assert services.delivery_attempt(delivery_id=delivery.pk) is None, "not due yet"
            assert delivery.pk not in services.deliveries_due()
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            assert delivery.pk in services.deliveries_due()
    assert delivery.status == DeliveryStatus.FAILED
    assert pauses == sorted(pauses), "each pause at least as long as the one before"
    assert timedelta(seconds=sum(pauses)) >= timedelta(hours=24)
    assert delivery.attempts.count() == len(pauses) + 1
    assert {a.status_code for a in delivery.attempts.all()} == {503}
    assert endpoint.deliveries.count() == 1


def test_it_records_deal_and_partner_events_only_for_subscribed_endpoints(cast, acme):
    deals_only = services.endpoint_create(
        user=cast.vendor_admin,
        url="http://127.0.0.1:1/",
        events=["deal.submitted", "deal.approved", "deal.rejected"],
    )
    partners_only = services.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:2/", events=["partner.activated"]
    )
    product = Product.objects.create(vendor_sku="WH-1", name="P", list_price=Decimal("5"))
    deal = deal_services.deal_create(
        user=cast.rep_a1,
        data=deal_services.DealInput(customer_name="Event Source Ltd"),
        lines=[deal_services.LineInput(product_id=product.pk, quantity=1)],
    )
    deal = deal_services.deal_submit(user=cast.rep_a1, deal_id=deal.pk, expected_version=1)
    deal_services.deal_reject(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, reason="No"
    )
    assert list(deals_only.deliveries.order_by("pk").values_list("event", flat=True)) == [
        "deal.submitted",
        "deal.rejected",
    ]
    rejected = deals_only.deliveries.get(event="deal.rejected").payload
    assert rejected["data"]["status"] == "rejected"
    assert rejected["data"]["partner"] == cast.partner_a.slug

    partner = Partner.objects.create(
        name="Soon Active", slug="soon-active", status=PartnerStatus.SUSPENDED
    )
    partner_change_status(partner=partner, to_status=PartnerStatus.ACTIVE, user=cast.vendor_admin)
    assert list(partners_only.deliveries.values_list("event", flat=True)) == ["partner.activated"]
    assert partners_only.deliveries.get().payload["data"]["slug"] == "soon-active"
    Endpoint.objects.filter(pk=partners_only.pk).update(is_active=False)
    assert services.emit("partner.activated", {"slug": "x"}) == []


def test_it_records_how_an_import_ended(cast, acme, private_media):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reporting import services as reporting

    endpoint = services.endpoint_create(
        user=cast.vendor_admin,
        url="http://127.0.0.1:1/",
        events=["upload.imported", "upload.failed"],
    )
    header = b"invoice_number,invoice_date,vendor_sku,quantity,unit_price,currency\n"

    def receive(row: bytes):
        return reporting.upload_receive(
            user=cast.partner_a_admin, uploaded_file=SimpleUploadedFile("r.csv", header + row)
        )

    good = receive(b"INV-1,2026-09-01,AN-SW-24P,1,10.00,USD\n")
    reporting.upload_process(upload_id=good.pk)
    lost = receive(b"INV-2,2026-09-02,AN-SW-24P,1,10.00,USD\n")
    default_storage.delete(lost.file.name)  # the stored file is gone: the import fails
    reporting.upload_process(upload_id=lost.pk)

    events = {d.payload["data"]["id"]: d.payload for d in endpoint.deliveries.all()}
    assert events[good.pk]["type"] == "upload.imported"
    assert events[good.pk]["data"]["status"] == "done"
    assert events[good.pk]["data"]["partner"] == cast.partner_a.slug
    assert events[lost.pk]["type"] == "upload.failed"
    assert events[lost.pk]["data"]["message"]


def test_it_lists_deliveries_with_attempts_and_sends_again_from_the_admin(cast, acme, client_for):
    with _Failing() as url:
        endpoint = services.endpoint_create(
            user=cast.vendor_admin, url=url, events=["partner.activated"]
        )
        [delivery] = services.emit("partner.activated", {"slug": "admin-ui"})
        services.delivery_attempt(delivery_id=delivery.pk)
    admin = client_for(cast.vendor_admin)
    listing = admin.get("/admin/webhooks/delivery/").content.decode()
    assert "partner.activated" in listing and endpoint.url in listing
    page = admin.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()
    assert "503" in page, "the attempt and its answer are shown"
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None
    )
    response = admin.post(
        "/admin/webhooks/delivery/",
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None
    assert client_for(cast.cm_a).get("/admin/webhooks/delivery/").status_code == 302


def test_a_paused_endpoint_keeps_its_deliveries_waiting_until_switched_on(cast, acme):
    with _Failing() as url:
        endpoint = services.endpoint_create(
            user=cast.vendor_admin, url=url, events=["partner.activated"]
        )
        [delivery] = services.emit("partner.activated", {"slug": "paused"})
        Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
        assert services.delivery_attempt(delivery_id=delivery.pk) is None
        assert delivery.pk not in services.deliveries_due()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts.count() == 0

        Endpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
        assert delivery.pk in services.deliveries_due()
        services.delivery_attempt(delivery_id=delivery.pk)
        assert [a.status_code for a in delivery.attempts.all()] == [503]
