"""One customer across partners: sales lines link to canonical customers, the grey zone
waits for a CM, and a CM's answer is learned."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.queue import work_queue
from reporting.models import SalesLine
from reporting.quality.models import Customer, CustomerName, LinkStatus, UploadQuality
from reporting.quality.registry import link_pending
from reporting.quality.services import upload_measure
from reporting.services import report_import
from tests.ingest.support import SAMPLES

NORTHWIND = SAMPLES / "northwind_pos_2026-09.csv"
HEADER = "Invoice Number,Invoice Date,Reseller,End Customer,SKU,Quantity,Unit Price,Currency"


def _report(tmp_path, name: str, customers: list[str]):
    rows = [
        f"LS-{i},2026-09-0{i + 1},,{customer},AN-FW-100,1,1387.50,USD"
        for i, customer in enumerate(customers)
    ]
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _link_rate(slug: str) -> float:
    out = io.StringIO()
    call_command("partner_data_quality", "--schema", "acme", "--period", "2026-09", stdout=out)
    return {row["partner"]: row for row in json.loads(out.getvalue())}[slug]["customer_link_rate"]


def test_it_links_every_line_of_a_report_and_one_customer_across_partners(
    sample_partners, tmp_path
):
    northwind, lonestar = sample_partners["northwind"], sample_partners["lonestar"]
    first = report_import(partner=northwind, path=NORTHWIND)
    link_pending(upload_id=first.upload)
    named = SalesLine.objects.filter(partner=northwind).exclude(end_customer="")
    distinct = set(named.values_list("end_customer", flat=True))
    spellings = CustomerName.objects.filter(name__in=distinct, customer__isnull=False)
    assert spellings.count() == len(distinct)
    assert Customer.objects.filter(names__in=spellings).distinct().count() == len(distinct)
    assert _link_rate("northwind") == round(named.count() / 93, 4)

    other = report_import(
        partner=lonestar,
        path=_report(
            tmp_path, "lonestar.csv", ["REDWOOD CREDIT UNION INC.", "Harbor Point Hotels"]
        ),
    )
    decided = link_pending(upload_id=other.upload)

    redwood = CustomerName.objects.get(name="REDWOOD CREDIT UNION INC.")
    assert redwood.status == LinkStatus.AUTO
    assert redwood.customer.name == "Redwood Credit Union"
    point = CustomerName.objects.get(name="Harbor Point Hotels")
    assert point.status == LinkStatus.REVIEW and point.candidate.name == "Harbor View Hotels"
    assert decided == {"auto": 1, "review": 1, "new": 0}
    assert _link_rate("lonestar") == 0.5


def test_it_learns_a_cm_decision_and_takes_it_off_the_queue(
    sample_partners, tmp_path, client_for, cast
):
    northwind, lonestar = sample_partners["northwind"], sample_partners["lonestar"]
    link_pending(upload_id=report_import(partner=northwind, path=NORTHWIND).upload)
    link_pending(
        upload_id=report_import(
            partner=lonestar, path=_report(tmp_path, "one.csv", ["Harbor Point Hotels"])
        ).upload
    )
    point = CustomerName.objects.get(name="Harbor Point Hotels")
    assert any(item.title == "Harbor Point Hotels" for item in work_queue(cast.cm_b, limit=100))

    page = client_for(cast.cm_a).get(reverse("quality:customer_review"))
    assert "Harbor Point Hotels" in page.content.decode()
    client_for(cast.cm_a).post(
        reverse("quality:customer_decide", kwargs={"pk": point.pk}), {"same": "no"}
    )

    point.refresh_from_db()
    assert point.status == LinkStatus.CONFIRMED and point.customer.name == "Harbor Point Hotels"
    assert not any(i.title == "Harbor Point Hotels" for i in work_queue(cast.cm_b, limit=100))
    later = report_import(
        partner=lonestar, path=_report(tmp_path, "two.csv", ["Harbor Point Hotels", "Ok Co"])
    )
    link_pending(upload_id=later.upload)
    assert CustomerName.objects.filter(name="Harbor Point Hotels").count() == 1, "learned"


def test_it_flags_a_sale_a_distributor_and_its_reseller_both_reported(
    sample_partners, tmp_path, client_for, cast
):
    from partners.models import Partner
    from reporting.quality.models import TwoTierLine
    from reporting.quality.twotier import flag_two_tier

    northwind, lonestar = sample_partners["northwind"], sample_partners["lonestar"]
    Partner.objects.filter(pk=northwind.pk).update(partner_type="distributor")
    link_pending(upload_id=report_import(partner=northwind, path=NORTHWIND).upload)
    path = tmp_path / "reseller.csv"
    path.write_text(
        f"{HEADER}\nnor-2609-1254 ,2026-09-02,,REDWOOD CREDIT UNION,AN-FW-500,3,6350.00,USD\n"
        f"NOR-2609-1254,2026-09-02,,Redwood Credit Union,AN-FW-500,2,6350.00,USD\n",
        encoding="utf-8",
    )
    resold = report_import(partner=lonestar, path=path)
    link_pending(upload_id=resold.upload)

    assert flag_two_tier(resold.upload) == 2, "one pair, one row per side"

    sides = {row.partner_id: row for row in TwoTierLine.objects.all()}
    assert sides[lonestar.pk].counted and not sides[northwind.pk].counted, "closest to customer"
    assert sides[lonestar.pk].other_partner == northwind
    assert (sides[lonestar.pk].quantity, sides[lonestar.pk].vendor_sku) == (3, "AN-FW-500")
    for partner in (northwind, lonestar):
        html = client_for(cast.cm_a).get(reverse("quality:partner", kwargs={"pk": partner.pk}))
        assert html.content.decode().count('data-testid="two-tier-line"') == 1
    out = io.StringIO()
    call_command("partner_data_quality", "--schema", "acme", "--period", "2026-09", stdout=out)
    rows = {row["partner"]: row for row in json.loads(out.getvalue())}
    assert rows["northwind"]["two_tier_rows"] == rows["lonestar"]["two_tier_rows"] == 1


@pytest.fixture
def eager_tasks():
    """Tasks queued by a request run in it, inside the test's transaction."""
    from prm.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_an_upload_stops_counting_a_spelling_once_a_cm_settles_it(
    sample_partners, tmp_path, client_for, cast, eager_tasks, django_capture_on_commit_callbacks
):
    northwind, lonestar = sample_partners["northwind"], sample_partners["lonestar"]
    link_pending(upload_id=report_import(partner=northwind, path=NORTHWIND).upload)
    waiting = report_import(
        partner=lonestar, path=_report(tmp_path, "one.csv", ["Harbor Point Hotels", "Ok Co"])
    ).upload
    link_pending(upload_id=waiting)
    upload_measure(upload_id=waiting)
    assert UploadQuality.objects.get(upload_id=waiting).figures["unlinked_lines"] == 1
    assert _link_rate("lonestar") == 0.5

    point = CustomerName.objects.get(name="Harbor Point Hotels")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.cm_a).post(
            reverse("quality:customer_decide", kwargs={"pk": point.pk}), {"same": "yes"}
        )

    assert UploadQuality.objects.get(upload_id=waiting).figures["unlinked_lines"] == 0
    assert _link_rate("lonestar") == 1.0
