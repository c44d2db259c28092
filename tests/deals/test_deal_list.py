"""The deal list: search, filters, sort and export, all in the URL, within the user's scope."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
from django.utils import timezone

from deals.models import Deal


def names(response) -> list[str]:
    body = response.content.decode()
    table = body.split('data-testid="deal-list"', 1)[1].split("</table>", 1)[0]
    return [cell.split(">", 1)[1].split("<", 1)[0] for cell in table.split('<a href="/deals/')[1:]]


def test_it_searches_customer_names_and_domains(cast, acme, register, client_for):
    register(cast.rep_a1, "Blue Harbor Logistics", domain="blue-harbor.com")
    register(cast.rep_a1, "Redwood Candles", domain="redwood.example", skus=("AP-7",))
    client = client_for(cast.cm_a)
    assert names(client.get("/deals/", {"q": "harbor"})) == ["Blue Harbor Logistics"]
    assert names(client.get("/deals/", {"q": "redwood.ex"})) == ["Redwood Candles"]


def test_it_filters_by_partner_cm_status_and_dates(cast, acme, register, client_for):
    a = register(cast.rep_a1, "Ardent Customer", domain="ardent-customer.example")
    register(cast.rep_b, "Bergmann Customer", domain="bergmann-customer.example")
    register(cast.rep_a1, "Draft Customer", domain="draft.example", skus=("AP-7",), submit=False)
    admin = client_for(cast.vendor_admin)
    by_partner = names(admin.get("/deals/", {"partner": cast.partner_b.pk}))
    assert by_partner == ["Bergmann Customer"]
    by_cm = names(admin.get("/deals/", {"channel_manager": cast.cm_a.pk}))
    assert sorted(by_cm) == ["Ardent Customer", "Draft Customer"]
    assert names(admin.get("/deals/", {"status": "draft"})) == ["Draft Customer"]
    Deal.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=40))
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    recent = names(admin.get("/deals/", {"created_from": since}))
    assert "Ardent Customer" not in recent and len(recent) == 2
    old = names(admin.get("/deals/", {"created_to": since}))
    assert old == ["Ardent Customer"]


def test_it_never_widens_the_scope_with_a_filter(cast, acme, register, client_for):
    register(cast.rep_b, "Bergmann Customer", domain="bergmann-customer.example")
    cm_a = client_for(cast.cm_a)
    # Partner B is not cm_a's: the choice is refused, nothing of B is shown.
    response = cm_a.get("/deals/", {"partner": cast.partner_b.pk})
    assert response.status_code == 400
    assert "Bergmann Customer" not in response.content.decode()
    rep = client_for(cast.rep_a1)
    assert "Bergmann Customer" not in rep.get("/deals/", {"q": "Bergmann"}).content.decode()


def test_it_sorts_by_a_column_and_keeps_the_filters_in_the_links(cast, acme, register, client_for):
    for name in ("Charlie Co", "Alpha Co", "Bravo Co"):
        register(cast.rep_a1, name, domain=f"{name.split()[0].lower()}.example")
    client = client_for(cast.cm_a)
    assert names(client.get("/deals/", {"sort": "customer"})) == [
        "Alpha Co",
        "Bravo Co",
        "Charlie Co",
    ]
    response = client.get("/deals/", {"sort": "-customer", "q": "co"})
    assert names(response) == ["Charlie Co", "Bravo Co", "Alpha Co"]
    body = response.content.decode()
    assert 'aria-sort="descending"><a href="?sort=customer&amp;q=co"' in body
    assert client.get("/deals/", {"sort": "password"}).status_code == 400


def test_it_exports_what_the_filter_shows_as_csv_and_xlsx(cast, acme, register, client_for):
    register(cast.rep_a1, '=HYPERLINK("http://x")', domain="formula.example")
    register(cast.rep_a1, "Blue Harbor Logistics", domain="blue-harbor.com")
    register(cast.rep_b, "Bergmann Customer", domain="bergmann-customer.example")
    client = client_for(cast.cm_a)
    response = client.get("/deals/export.csv", {"sort": "customer"})
    assert response["Content-Disposition"].startswith('attachment; filename="deals-')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Customer", "Website or e-mail domain", "Country", "Partner"]
    customers = [row[0] for row in rows[1:]]
    # Partner B's deal is not cm_a's; the formula is inert text.
    assert customers == ['\'=HYPERLINK("http://x")', "Blue Harbor Logistics"]
    expected = sum(
        Deal.objects.filter(partner=cast.partner_a).values_list("expected_value", flat=True),
        Decimal(0),
    )
    assert sum(Decimal(row[5]) for row in rows[1:]) == expected

    xlsx = client.get("/deals/export.xlsx", {"q": "harbor"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "Blue Harbor Logistics" and len(values) == 2
    assert client.get("/deals/export.pdf").status_code == 404


def test_it_exports_a_reps_own_deals_without_the_partner_column(cast, acme, register, client_for):
    register(cast.rep_a1, "Mine", domain="mine.example")
    register(cast.rep_a2, "Not Mine", domain="notmine.example", skus=("AP-7",))
    rows = list(
        csv.reader(
            io.StringIO(
                client_for(cast.rep_a1).get("/deals/export.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert "Partner" not in rows[0]
    assert [row[0] for row in rows[1:]] == ["Mine"]


def _checked(deal, score=None):
    Deal.objects.filter(pk=deal.pk).update(
        conflicts_checked_at=timezone.now(), conflict_score=score
    )


def test_it_lets_a_cm_approve_several_conflict_free_deals_at_once(cast, acme, register, client_for):
    one = register(cast.rep_a1, "Alpha Co", domain="alpha.example", skus=("SW-24",))
    two = register(cast.rep_a1, "Bravo Co", domain="bravo.example", skus=("AP-7",))
    rival = register(cast.rep_a1, "Charlie Co", domain="charlie.example", skus=("SW-48",))
    for deal in (one, two):
        _checked(deal)
    _checked(rival, score=80)
    client = client_for(cast.cm_a)
    queue = client.get("/deals/review/").content.decode()
    assert f'name="deal" value="{one.pk}"' in queue and f'value="{rival.pk}"' not in queue

    response = client.post(
        "/deals/review/approve/", {"deal": [one.pk, two.pk, rival.pk]}, follow=True
    )
    body = response.content.decode()
    assert "2 registrations approved." in body
    assert "1 registration was not approved" in body
    statuses = dict(
        Deal.objects.filter(pk__in=[one.pk, two.pk, rival.pk]).values_list("pk", "status")
    )
    assert statuses == {one.pk: "approved", two.pk: "approved", rival.pk: "submitted"}
    assert Deal.objects.get(pk=one.pk).decided_by == cast.cm_a


def test_it_approves_nothing_outside_the_cms_partners(cast, acme, register, client_for):
    theirs = register(cast.rep_b, "Bergmann Customer", domain="bergmann-customer.example")
    _checked(theirs)
    response = client_for(cast.cm_a).post("/deals/review/approve/", {"deal": [theirs.pk]})
    assert response.status_code == 302
    assert Deal.objects.get(pk=theirs.pk).status == "submitted"
    bad = client_for(cast.cm_a).post("/deals/review/approve/", {"deal": ["²"]}, follow=True)
    assert "Tick the registrations to approve." in bad.content.decode()
