"""Deal pages through the test client: what each person sees and can do."""

from datetime import timedelta

import pytest

from deals import services
from deals.models import Deal, DealStatus


def _registration_form(catalogue, **overrides):
    data = {
        "customer_name": "Blue Harbor Logistics Inc.",
        "customer_domain": "https://blue-harbor.com",
        "customer_country": "us",
        "contact_name": "Dana Buyer",
        "expected_close_date": "2031-03-01",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": catalogue["SW-24"].vendor_sku,
        "lines-0-quantity": "3",
    }
    data.update(overrides)
    return data


def test_it_registers_and_submits_a_deal_from_the_form(cast, acme, catalogue, client_for):
    client = client_for(cast.rep_a1)

    response = client.post("/deals/new/", _registration_form(catalogue, submit="1"))

    deal = Deal.objects.get(customer_name="Blue Harbor Logistics Inc.")
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert deal.status == DealStatus.SUBMITTED
    assert deal.customer_country == "US"
    assert deal.expected_value == 3 * catalogue["SW-24"].list_price


def test_it_ignores_forged_partner_owner_and_status_fields(cast, acme, catalogue, client_for):
    forged = _registration_form(
        catalogue,
        partner=str(cast.partner_b.pk),
        partner_id=str(cast.partner_b.pk),
        registered_by=str(cast.rep_b.pk),
        status="approved",
        protected_until="2099-01-01",
    )

    client_for(cast.rep_a1).post("/deals/new/", forged)

    deal = Deal.objects.get(customer_name="Blue Harbor Logistics Inc.")
    assert (deal.partner, deal.registered_by, deal.status) == (
        cast.partner_a,
        cast.rep_a1,
        DealStatus.DRAFT,
    )
    assert deal.protected_until is None


def test_it_requires_at_least_one_product(cast, acme, catalogue, client_for):
    data = _registration_form(catalogue, **{"lines-0-product": "", "lines-0-quantity": ""})

    response = client_for(cast.rep_a1).post("/deals/new/", data)

    assert response.status_code == 200
    assert "Add at least one product." in response.content.decode()
    assert not Deal.objects.exists()


def test_it_tells_the_second_partner_only_that_the_deal_needs_review(
    cast, acme, register, client_for
):
    register(cast.rep_a1, "Blue Harbor Logistics Inc.")
    second = register(cast.rep_b, "blue harbour logistics")

    page = client_for(cast.rep_b).get(f"/deals/{second.pk}/").content.decode()

    assert "needs review" in page
    assert "Ardent" not in page, "the other partner must never be named"
    assert "Possible conflicts" not in page
    assert "same domain" not in page


def test_it_shows_the_cm_both_sides_with_reasons(cast, acme, register, client_for):
    register(cast.rep_a1, "Blue Harbor Logistics Inc.")
    second = register(cast.rep_b, "blue harbour logistics")

    page = client_for(cast.cm_b).get(f"/deals/{second.pk}/").content.decode()

    assert "Possible conflicts" in page
    assert "Ardent Systems" in page
    assert "same domain blue-harbor.com" in page
    assert "2 of 2 products overlap" in page


def test_it_shows_conflict_reasons_in_vietnamese(cast, acme, register, client_for):
    register(cast.rep_a1, "Blue Harbor Logistics Inc.")
    second = register(cast.rep_b, "blue harbour logistics")
    client = client_for(cast.cm_b)
    client.cookies["prm_language"] = "vi"

    page = client.get(f"/deals/{second.pk}/").content.decode()

    assert "blue-harbor.com" in page
    assert "same domain blue-harbor.com" not in page


def test_it_approves_from_the_decision_form(cast, acme, register, client_for):
    deal = register(cast.rep_a1)

    response = client_for(cast.cm_a).post(
        f"/deals/{deal.pk}/decide/", {"action": "approve", "version": deal.version}
    )

    deal.refresh_from_db()
    assert response.status_code == 302
    assert deal.status == DealStatus.APPROVED


def test_it_tells_the_second_cm_the_deal_changed(cast, acme, register, client_for):
    deal = register(cast.rep_a1)
    seen_version = deal.version
    client_for(cast.cm_a).post(
        f"/deals/{deal.pk}/decide/", {"action": "approve", "version": seen_version}
    )

    response = client_for(cast.vendor_admin).post(
        f"/deals/{deal.pk}/decide/",
        {"action": "reject", "version": seen_version, "comment": "Duplicate"},
        follow=True,
    )

    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED
    assert "Someone changed this registration" in response.content.decode()


def test_it_refuses_a_rejection_without_a_reason(cast, acme, register, client_for):
    deal = register(cast.rep_a1)

    response = client_for(cast.cm_a).post(
        f"/deals/{deal.pk}/decide/", {"action": "reject", "version": deal.version}, follow=True
    )

    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED
    assert "Say why the registration is rejected." in response.content.decode()


def test_it_lets_the_rep_close_an_approved_deal_as_won(cast, acme, register, client_for):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)

    client_for(cast.rep_a1).post(
        f"/deals/{deal.pk}/close/",
        {
            "outcome": "won",
            "final_amount": "6400.00",
            "closed_on": "2030-05-01",
            "version": deal.version,
        },
    )

    deal.refresh_from_db()
    assert deal.status == DealStatus.WON
    assert str(deal.final_amount) == "6400.00"


def test_it_shows_the_history_on_the_deal_page(cast, acme, register, client_for):
    deal = register(cast.rep_a1)
    services.deal_reject(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, reason="Outside territory"
    )

    page = client_for(cast.rep_a1).get(f"/deals/{deal.pk}/").content.decode()

    assert "Outside territory" in page
    assert "Submitted → Rejected" in page


def test_it_lists_only_the_reps_own_deals(cast, acme, register, client_for):
    register(cast.rep_a1, "Mine Trading")
    register(cast.rep_a2, "Colleague Trading")

    own = client_for(cast.rep_a1).get("/deals/").content.decode()
    admin = client_for(cast.partner_a_admin).get("/deals/").content.decode()

    assert "Mine Trading" in own and "Colleague Trading" not in own
    assert "Mine Trading" in admin and "Colleague Trading" in admin


def test_it_lists_the_cms_queue_oldest_first(cast, acme, register, client_for):
    first = register(cast.rep_a1, "First Come Inc")
    second = register(cast.rep_a2, "Second Come Inc")
    register(cast.rep_b, "Other Partner Inc")
    Deal.objects.filter(pk=first.pk).update(submitted_at=second.submitted_at.replace(year=2020))

    page = client_for(cast.cm_a).get("/deals/review/").content.decode()

    assert page.index("First Come Inc") < page.index("Second Come Inc")
    assert "Other Partner Inc" not in page
    assert "overdue" in page


@pytest.mark.parametrize("url", ["/deals/", "/deals/review/"])
def test_it_keeps_list_queries_constant_as_rows_grow(
    url, cast, acme, register, client_for, django_assert_max_num_queries
):
    client = client_for(cast.vendor_admin)
    register(cast.rep_a1, "Budget One")
    client.get(url)
    # 14: one read of the rate table (values in the reporting currency for staff).
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for index in range(6):
        register(cast.rep_b, f"Budget Company {index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_it_lists_notifications_in_the_readers_language(cast, acme, register, client_for):
    register(cast.rep_a1, "Notify Me Ltd")
    client = client_for(cast.cm_a)

    english = client.get("/deals/notifications/").content.decode()
    client.cookies["prm_language"] = "vi"
    vietnamese = client.get("/deals/notifications/").content.decode()

    assert "New deal registration to review: Notify Me Ltd" in english
    assert "Notify Me Ltd" in vietnamese
    assert "New deal registration to review" not in vietnamese


def test_it_rechecks_conflicts_as_an_htmx_fragment(cast, acme, register, client_for):
    deal = register(cast.rep_a1, "Blue Harbor Logistics Inc.")
    register(cast.rep_b, "blue harbour logistics")

    response = client_for(cast.cm_a).post(
        f"/deals/{deal.pk}/conflicts/check/", HTTP_HX_REQUEST="true"
    )

    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.lstrip().startswith('<section id="conflicts"')
    assert "Bergmann IT GmbH" in fragment
    assert "<html" not in fragment


def test_it_prefills_the_edit_form_and_saves_changes(cast, acme, register, client_for, catalogue):
    deal = register(cast.rep_a1, submit=False)
    client = client_for(cast.rep_a1)

    page = client.get(f"/deals/{deal.pk}/edit/").content.decode()
    assert 'value="Blue Harbor Logistics Inc."' in page

    client.post(
        f"/deals/{deal.pk}/edit/",
        _registration_form(
            catalogue,
            customer_name="Blue Harbor Logistics Group",
            version=str(deal.version),
            **{"lines-0-product": catalogue["AP-7"].vendor_sku, "lines-0-quantity": "4"},
        ),
    )

    deal.refresh_from_db()
    assert deal.customer_name == "Blue Harbor Logistics Group"
    assert [(line.product.vendor_sku, line.quantity) for line in deal.lines.all()] == [("AP-7", 4)]


def test_it_requests_and_grants_an_extension_through_the_pages(cast, acme, register, client_for):
    deal = register(cast.rep_a1)
    deal = services.deal_approve(user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version)
    wanted = deal.protected_until

    client_for(cast.rep_a1).post(
        f"/deals/{deal.pk}/extension/",
        {
            "version": deal.version,
            "until": (wanted + timedelta(days=20)).isoformat(),
            "reason": "Board meets next month",
        },
    )
    deal.refresh_from_db()
    queue = client_for(cast.cm_a).get("/deals/review/").content.decode()
    client_for(cast.cm_a).post(
        f"/deals/{deal.pk}/extension/decide/", {"version": deal.version, "grant": "yes"}
    )

    deal.refresh_from_db()
    assert "Extension requests" in queue
    assert deal.protected_until == wanted + timedelta(days=20)


def test_it_emails_notifications_in_the_recipients_language(cast, acme, register):
    from deals.models import Notification
    from deals.notifications import email_text

    cast.rep_a1.language = "vi"
    deal = register(cast.rep_a1)
    services.deal_reject(
        user=cast.cm_a, deal_id=deal.pk, expected_version=deal.version, reason="Trùng lặp"
    )
    notification = Notification.objects.get(deal=deal, kind="rejected")
    notification.recipient.language = "vi"

    subject, body = email_text(notification)

    assert subject.startswith("Đăng ký bị từ chối")
    assert "Trùng lặp" in body


def test_it_puts_submitted_deals_in_the_cms_workspace_queue(cast, acme, register, client_for):
    register(cast.rep_a1, "Queue Me Systems")

    mine = client_for(cast.cm_a).get("/workspace/").content.decode()
    other = client_for(cast.cm_b).get("/workspace/").content.decode()

    assert "Queue Me Systems" in mine
    assert "Queue Me Systems" not in other
