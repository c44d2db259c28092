"""The forms that send e-mail to an address a visitor types are throttled per address
and per client: password reset and the public application."""

import pytest
from django.core import mail

from partners.models import PartnerApplication
from prm.accounts.throttle import reset_all
from tests.conftest import TenantClient


@pytest.fixture(autouse=True)
def fresh_counters(acme):
    reset_all()
    yield
    reset_all()


def reset(client, email):
    return client.post("/password/reset/", {"email": email})


def test_it_throttles_password_reset_mails_to_one_address(
    cast, settings, django_capture_on_commit_callbacks
):
    limit = settings.PASSWORD_RESET_PER_ADDRESS[0]
    for n in range(limit):
        # Each from a different client: the per-address limit still applies.
        client = TenantClient("acme.localhost", REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert reset(client, cast.rep_a1.email).status_code == 302
    other = TenantClient("acme.localhost", REMOTE_ADDR="198.51.100.200")
    refused = reset(other, cast.rep_a1.email.upper())
    assert refused.status_code == 429
    assert "Too many password reset" in refused.content.decode()
    assert len(mail.outbox) == limit


def test_it_throttles_password_resets_from_one_client(cast, settings):
    limit = settings.PASSWORD_RESET_PER_CLIENT[0]
    client = TenantClient("acme.localhost", REMOTE_ADDR="203.0.113.9")
    for n in range(limit):
        assert reset(client, f"someone{n}@example.com").status_code == 302
    assert reset(client, cast.rep_a1.email).status_code == 429
    assert mail.outbox == []  # none of the addresses had an account, rep_a1 was refused


def test_it_answers_alike_for_addresses_with_and_without_an_account(cast):
    client = TenantClient("acme.localhost")
    assert reset(client, cast.rep_a1.email).status_code == reset(client, "x@y.example").status_code


def application(n, email):
    return {
        "company_name": f"Relay {n}",
        "country": "US",
        "partner_type": "reseller",
        "contact_name": "Mallory",
        "contact_email": email,
    }


def test_it_stops_the_apply_form_mailing_one_address_again_and_again(
    cast, settings, django_capture_on_commit_callbacks
):
    victim = "victim@example.org"
    limit = settings.APPLY_PER_ADDRESS[0]
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(limit + 2):
            client = TenantClient("acme.localhost", REMOTE_ADDR=f"198.51.100.{n + 1}")
            response = client.post("/partners/apply/", application(n, victim))
            # Rejected applications free the address for a new one: what remains is
            # the throttle.
            PartnerApplication.objects.filter(contact_email=victim).update(status="rejected")
    assert response.status_code == 429
    assert len([m for m in mail.outbox if victim in m.to]) == limit
