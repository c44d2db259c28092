"""A mail server outage delays mail; it never fails a page. Real pieces: the dev server,
a Celery worker, and an SMTP server that is down at first and comes back."""

import time
import uuid

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from partners.models import Partner, PartnerApplication

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture
def applicant(django_db_blocker):
    """A unique applicant; what the test makes of it is removed afterwards."""
    tag = uuid.uuid4().hex[:8]
    company, email = f"Outage Test {tag}", f"owner-{tag}@outage.example"
    yield company, email
    with django_db_blocker.unblock(), schema_context("acme"):
        Partner.objects.filter(name=company).delete()
        PartnerApplication.objects.filter(contact_email=email).delete()
        connection.close()


def test_it_answers_every_page_while_smtp_is_down_and_sends_once_it_returns(
    cast, browser, live_server_url, login_in_browser, smtp_sink, applicant, django_db_blocker
):
    company, email = applicant
    smtp_sink.stop()
    smtp_sink.messages.clear()  # what earlier tests sent is not this test's business
    base = live_server_url.format(host="acme.localhost")
    errors = []
    visitor = browser.new_context(locale="en-US")
    staff = browser.new_context(locale="en-US")
    try:
        for context in (visitor, staff):
            context.on("response", lambda r: r.status >= 500 and errors.append(r.url))
        page = visitor.new_page()
        # A visitor applies: the application is saved and acknowledged by e-mail.
        page.goto(f"{base}/partners/apply/")
        page.fill("input[name=company_name]", company)
        page.fill("input[name=country]", "US")
        page.fill("input[name=contact_name]", "Olive Outage")
        page.fill("input[name=contact_email]", email)
        page.get_by_role("button", name="Send application").click()
        expect(page).to_have_url(f"{base}/partners/apply/thanks/")
        # A user forgets their password.
        page.goto(f"{base}/password/reset/")
        page.fill("input[name=email]", cast.rep_b.email)
        page.get_by_role("button", name="Send the link").click()
        expect(page).to_have_url(f"{base}/password/reset/sent/")

        # The vendor admin approves the application: the applicant is invited.
        with django_db_blocker.unblock(), schema_context("acme"):
            application = PartnerApplication.objects.get(contact_email=email)
            connection.close()
        admin_page = staff.new_page()
        login_in_browser(admin_page, cast.vendor_admin.email)
        admin_page.goto(f"{base}/partners/applications/{application.pk}/")
        admin_page.get_by_role("button", name="Approve").click()
        expect(admin_page.get_by_role("status")).to_contain_text("is now onboarding")

        assert errors == []
        assert smtp_sink.messages == []  # nothing can have been delivered: the server is down

        smtp_sink.start()
        # Acknowledgement and invitation, then nothing more (each sent once).
        smtp_sink.wait_for(email, count=2)
        reset_link = f"acme.localhost:{base.rsplit(':', 1)[1]}/password/reset/"

        def resets():
            return [m for m in smtp_sink.to(cast.rep_b.email) if reset_link in m.get_content()]

        deadline = time.monotonic() + 60
        while not resets() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)
        received = smtp_sink.to(email)
        assert len(received) == 2, [m["Subject"] for m in received]
        invitation = next(m for m in received if "/partners/invitation/" in m.get_content())
        assert "http://acme.localhost:" in invitation.get_content()
        assert len(resets()) == 1
    finally:
        visitor.close()
        staff.close()
