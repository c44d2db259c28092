"""The recruiting journey in Chromium against the real dev server and worker:
a visitor applies on the public page, a CM approves, the invited partner admin sets a
password, accepts the programme agreement (the partner becomes active) and invites a rep.

The live server is another process, so everything it must see is committed, and removed
again afterwards. The invitation link is built from the stored invitation with the same
HMAC the e-mail uses (nothing secret is stored, see partners.invitations).
"""

import re
import uuid
from contextlib import contextmanager

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from partners.invitations import invitation_path

pytestmark = pytest.mark.browser

PASSWORD = "journey-passphrase-2026"


@contextmanager
def committed(django_db_blocker):
    """ORM access outside the test transaction, committed at once (the live server is
    another process). The connection is closed afterwards: without that, a session opened
    here was seen still connected when pytest-django dropped the test database at the
    end of the run ("being accessed by other users")."""
    from django.db import connection

    with django_db_blocker.unblock(), schema_context("acme"):
        try:
            yield
        finally:
            connection.close()


@pytest.fixture
def journey(django_db_blocker, cast):
    """A unique company, a committed agreement version, and cleanup of all it creates."""
    from partners.models import AgreementVersion

    tag = uuid.uuid4().hex[:8]
    data = {
        "company": f"Journey Networks {tag}",
        "admin": f"owner-{tag}@journey{tag}.example",
        "rep": f"rep-{tag}@journey{tag}.example",
    }
    with committed(django_db_blocker):
        version = AgreementVersion.objects.create(
            number=(
                AgreementVersion.objects.order_by("-number")
                .values_list("number", flat=True)
                .first()
                or 0
            )
            + 1,
            title=f"Programme terms {tag}",
            body="Sell well. Report monthly.",
        )
    try:
        yield data
    finally:
        with committed(django_db_blocker):
            _cleanup(data, version)


def _cleanup(data, version):

    from partners.models import Invitation, Partner, PartnerApplication
    from prm.accounts.models import User
    from prm.accounts.throttle import reset_all

    reset_all()  # the visitor's application counters

    partners = Partner.objects.filter(name=data["company"])
    Invitation.objects.filter(partner__in=partners).delete()
    User.objects.filter(membership__partner__in=partners).delete()
    PartnerApplication.objects.filter(company_name=data["company"]).delete()
    for partner in partners:
        partner.agreement_acceptances.all().delete()
        partner.status_changes.all().delete()
        partner.delete()
    version.delete()


def test_it_takes_an_applicant_to_an_active_partner_that_invites_a_rep(
    cast, browser, live_server_url, login_in_browser, django_db_blocker, journey
):
    from partners.models import Invitation, Partner

    base = live_server_url.format(host="acme.localhost")
    contexts = [browser.new_context(locale="en-US") for _ in range(3)]
    for context in contexts:
        context.set_default_timeout(15_000)
    visitor, manager, owner = (context.new_page() for context in contexts)
    try:
        # 1. A visitor applies on the public page.
        visitor.goto(f"{base}/partners/apply/")
        visitor.get_by_label("company name").fill(journey["company"])
        visitor.get_by_label("country").fill("US")
        visitor.get_by_label("contact name").fill("Olivia Owner")
        visitor.get_by_label("contact e-mail").fill(journey["admin"])
        visitor.get_by_role("button", name="Send application").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Thank you for applying")

        # 2. A channel manager finds it in the work queue and approves it.
        login_in_browser(manager, cast.cm_a.email)
        expect(manager).to_have_url(f"{base}/workspace/")
        manager.get_by_test_id("work-queue").get_by_role("link", name=journey["company"]).click()
        manager.get_by_role("button", name="Approve").click()
        expect(manager.get_by_text(f"{journey['company']} is now onboarding")).to_be_visible()
        expect(manager.get_by_test_id("partner-status")).to_have_text("Onboarding")

        # 3. The invited partner admin opens the link and sets a password.
        with committed(django_db_blocker):
            invitation = Invitation.objects.get(email=journey["admin"])
            path = invitation_path(invitation)
        owner.goto(f"{base}{path}")
        expect(owner.get_by_role("heading", level=1)).to_have_text(f"Join {journey['company']}")
        owner.locator("#id_password1").fill(PASSWORD)
        owner.locator("#id_password2").fill(PASSWORD)
        owner.get_by_role("button", name="Create my account").click()
        expect(owner).to_have_url(f"{base}/portal/")
        expect(owner.get_by_test_id("partner-status")).to_have_text("Onboarding")

        # 4. They accept the programme agreement: the partner becomes active.
        owner.get_by_role("link", name="Read and accept the agreement").click()
        owner.get_by_role("button", name=re.compile("^Accept on behalf of")).click()
        expect(owner.get_by_test_id("partner-status")).to_have_text("Active")
        expect(owner.get_by_test_id("agreement-pending")).to_have_count(0)

        # 5. They invite a sales rep.
        owner.get_by_role("link", name="Manage your users").click()
        owner.locator("#id_email").fill(journey["rep"])
        owner.locator("#id_full_name").fill("Ray Rep")
        owner.locator("#id_role").select_option("partner_rep")
        owner.get_by_role("button", name="Send invitation").click()
        expect(owner.get_by_text(f"Invitation sent to {journey['rep']}")).to_be_visible()
        expect(owner.get_by_test_id("invitations")).to_contain_text(journey["rep"])

        # The link the e-mail carries works only once: the admin's is spent.
        owner.goto(f"{base}{path}")
        expect(owner.get_by_role("heading", level=1)).to_have_text(
            "This invitation link does not work"
        )
    finally:
        for context in contexts:
            context.close()

    with committed(django_db_blocker):
        partner = Partner.objects.get(name=journey["company"])
        assert partner.status == "active" and partner.channel_manager_id == cast.cm_a.pk
        rep_invitation = Invitation.objects.get(email=journey["rep"])
        assert rep_invitation.partner == partner and rep_invitation.role == "partner_rep"
        acceptance = partner.agreement_acceptances.get()
        assert acceptance.accepted_by.email == journey["admin"]
