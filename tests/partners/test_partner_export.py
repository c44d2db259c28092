"""The partner directory's country filter and its export: the file holds exactly the rows
the filtered list shows, every page of them, and only partners the user may see."""

import csv
import io

from openpyxl import load_workbook

from partners.models import PartnerStatus
from tests.partners.helpers import make_partner, make_tiers


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _listed(client, params) -> set[str]:
    """Partner names on every page of the list for these filters."""
    names, page = set(), 1
    while True:
        response = client.get("/partners/", {**params, "page": page})
        names |= {p.name for p in response.context["page"].object_list}
        if not response.context["page"].has_next():
            return names
        page += 1


def test_it_filters_by_country_from_the_countries_it_lists(cast, acme, client_for):
    make_partner(name="Zephyr Systems", country="FR")
    client = client_for(cast.vendor_admin)

    page = client.get("/partners/", {"country": "FR"})

    assert [p.name for p in page.context["page"].object_list] == ["Zephyr Systems"]
    assert '<option value="FR" selected>FR</option>' in page.content.decode()


def test_a_cm_is_offered_only_the_countries_of_their_partners(cast, acme, client_for):
    make_partner(name="Zephyr Systems", country="FR")  # nobody's: only the admin sees it

    page = client_for(cast.cm_a).get("/partners/").content.decode()

    assert '<option value="FR"' not in page
    assert f'<option value="{cast.partner_a.country}"' in page


def test_the_export_holds_exactly_what_the_filtered_list_shows(cast, acme, client_for):
    _registered, silver, _gold = make_tiers()
    for n in range(30):  # more than one page of the list
        make_partner(name=f"Silver FR {n:02d}", country="FR", tier=silver)
    make_partner(name="Silver DE", country="DE", tier=silver)
    make_partner(name="Suspended FR", country="FR", tier=silver, status=PartnerStatus.SUSPENDED)
    client = client_for(cast.vendor_admin)
    params = {"country": "FR", "tier": silver.pk, "status": "active", "sort": "-name"}

    rows = _csv(client.get("/partners/export.csv", params))

    assert rows[0][:5] == ["Partner", "Slug", "Type", "Tier", "Status"]
    exported = [row[0] for row in rows[1:]]
    assert set(exported) == _listed(client, params)
    assert exported == sorted(exported, reverse=True)  # the list's sort
    assert len(exported) == 30
    assert all(row[3] == "Silver" and row[5] == "FR" for row in rows[1:])


def test_a_cm_exports_only_their_own_partners(cast, acme, client_for):
    rows = _csv(client_for(cast.cm_a).get("/partners/export.csv"))

    assert [row[0] for row in rows[1:]] == ["Ardent Systems"]
    assert rows[1][7] == str(cast.cm_a)


def test_the_xlsx_export_and_an_unknown_format(cast, acme, client_for):
    client = client_for(cast.vendor_admin)

    book = load_workbook(io.BytesIO(client.get("/partners/export.xlsx", {"q": "ardent"}).content))

    sheet = book.active
    assert [cell.value for cell in sheet[2]][0] == "Ardent Systems"
    assert sheet.max_row == 2
    assert client.get("/partners/export.pdf").status_code == 404


def test_a_bad_filter_value_is_dropped_alone(cast, acme, client_for):
    client = client_for(cast.vendor_admin)

    rows = _csv(client.get("/partners/export.csv", {"tier": "²", "q": "bergmann"}))

    assert [row[0] for row in rows[1:]] == ["Bergmann IT GmbH"]


def test_a_partner_name_cannot_become_a_spreadsheet_formula(cast, acme, client_for):
    make_partner(name="=HYPERLINK(1)", country="FR")

    rows = _csv(client_for(cast.vendor_admin).get("/partners/export.csv", {"country": "FR"}))

    assert rows[1][0] == "'=HYPERLINK(1)"
