"""The reconciliation list's filters (kind, partner, status) and its export: the file holds
exactly the rows the filtered list shows, every page, only the user's partners' findings."""

import csv
import io
import itertools

import openpyxl

from reporting.analytics.models import FindingKind, FindingStatus, ReconciliationFinding

_seq = itertools.count(1)


def make_finding(partner, kind=FindingKind.UNREGISTERED, status=FindingStatus.OPEN, **fields):
    n = next(_seq)
    fields.setdefault("end_customer", f"Customer {n:03d}")
    return ReconciliationFinding.objects.create(
        partner=partner,
        kind=kind,
        status=status,
        customer_key=f"customer {n}",
        amount_reporting=n,
        **fields,
    )


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _listed(client, params) -> list[str]:
    customers, page = [], 1
    while True:
        response = client.get("/analytics/reconciliation/", {**params, "page": page})
        assert response.status_code == 200
        customers += [f.end_customer for f in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return customers
        page += 1


def test_the_export_holds_exactly_what_the_filtered_list_shows(cast, acme, client_for):
    for _n in range(30):  # more than one page
        make_finding(cast.partner_a)
    make_finding(cast.partner_a, status=FindingStatus.DISMISSED, end_customer="Dismissed")
    make_finding(cast.partner_a, kind=FindingKind.MATCH, end_customer="Matched")
    make_finding(cast.partner_b, end_customer="Bergmann's")
    client = client_for(cast.vendor_admin)
    params = {"kind": "unregistered", "partner": cast.partner_a.pk, "status": "open"}

    listed = _listed(client, params)
    rows = _csv(client.get("/analytics/reconciliation/export.csv", params))

    assert len(listed) == 30
    assert [row[3] for row in rows[1:]] == listed  # same rows, same order
    assert rows[0][:4] == ["Finding", "Status", "Partner", "End customer"]
    assert {(row[0], row[1], row[2]) for row in rows[1:]} == {
        ("Sale without a registration", "To review", "Ardent Systems")
    }


def test_without_a_status_both_show_open_findings_and_all_means_all(cast, acme, client_for):
    make_finding(cast.partner_a, end_customer="Open one")
    make_finding(cast.partner_a, status=FindingStatus.CONFIRMED, end_customer="Confirmed one")
    client = client_for(cast.vendor_admin)

    default = [row[3] for row in _csv(client.get("/analytics/reconciliation/export.csv"))[1:]]
    every = _csv(client.get("/analytics/reconciliation/export.csv", {"status": ""}))

    assert default == _listed(client, {}) == ["Open one"]
    assert sorted(row[3] for row in every[1:]) == ["Confirmed one", "Open one"]


def test_a_cm_exports_only_their_partners_findings(cast, acme, client_for):
    make_finding(cast.partner_a, end_customer="Ardent's")
    make_finding(cast.partner_b, end_customer="Bergmann's")
    client = client_for(cast.cm_a)

    rows = _csv(client.get("/analytics/reconciliation/export.csv"))
    page = client.get("/analytics/reconciliation/").content.decode()

    assert [row[3] for row in rows[1:]] == ["Ardent's"]
    assert "Bergmann" not in page  # not even as a filter choice
    foreign = {"partner": cast.partner_b.pk}
    assert client.get("/analytics/reconciliation/export.csv", foreign).status_code == 404
    assert client.get("/analytics/reconciliation/", foreign).status_code == 404


def test_the_xlsx_export_a_bad_kind_and_an_unknown_format(cast, acme, client_for):
    make_finding(cast.partner_a, end_customer="=cmd|' /C calc'!A0")
    client = client_for(cast.vendor_admin)

    xlsx = client.get("/analytics/reconciliation/export.xlsx", {"kind": "nonsense"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))

    assert book.active.cell(row=2, column=4).value == "'=cmd|' /C calc'!A0"
    assert client.get("/analytics/reconciliation/export.pdf").status_code == 404
    assert client_for(cast.rep_a1).get("/analytics/reconciliation/export.csv").status_code == 403
