"""The applicant hears at once that their application arrived, and what happens next."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from partners import services
from prm.accounts.throttle import reset_all


@pytest.fixture(autouse=True)
def fresh_throttle(acme):
    reset_all()
    yield
    reset_all()


def submit(**overrides):
    fields = {
        "company_name": "Maple & Sons Networks",
        "country": "CA",
        "contact_name": "Mia Maple",
        "contact_email": "mia@maple.example",
    }
    return services.application_submit(**{**fields, **overrides})


def test_it_acknowledges_an_application_by_e_mail_once_it_is_saved(
    cast, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit()
    assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mia@maple.example"]
    assert "Acme Networks" in message.subject
    assert "Hello Mia Maple," in message.body
    assert "Maple & Sons Networks" in message.body  # plain text: nothing escaped
    assert f"within {services.APPLICATION_REVIEW_DAYS} business days" in message.body
    assert "set up your account" in message.body


def test_it_sends_nothing_when_the_address_already_waits_for_review(
    cast, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            submit(company_name="Maple Again", contact_email="MIA@maple.example")
    assert mail.outbox == []


def test_it_acknowledges_in_the_language_the_applicant_used(
    cast, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(language="vi")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Maple & Sons Networks" in body and "Hello" not in body
    assert "Xin chào Mia Maple," in body


def test_it_acknowledges_an_application_sent_from_the_public_page(
    cast, acme, client_for, django_capture_on_commit_callbacks
):
    client = client_for(None)
    data = {
        "company_name": "Nimbus Cloud",
        "country": "US",
        "partner_type": "reseller",
        "contact_name": "Nia",
        "contact_email": "nia@nimbus.example",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/partners/apply/", data).status_code == 302
        again = client.post("/partners/apply/", {**data, "company_name": "Nimbus Two"})
    assert "already waiting for review" in again.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nia@nimbus.example"]
    assert "Nimbus Cloud" in mail.outbox[0].body
