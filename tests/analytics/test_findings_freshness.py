"""The reconciliation page and a partner's scorecard say how current the findings are:
"findings as of" (moved by every run, incremental ones too), which partners' new sales are
being reconciled (the page then polls itself with htmx and reloads its body once the run
is done), and which wait for the nightly run. Each reader sees only their partners'.

Imports are written as the reconciliation tests write them (lines, then the sales-changed
hooks); the run is the task the import queues, called here (tests/analytics/
test_findings_freshness_worker.py has the worker run it)."""

from datetime import date, timedelta

from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from partners.models import Partner
from reporting.analytics.models import ReconciledPartner, ReconciliationChange
from reporting.analytics.reconciliation import reconcile_sales
from reporting.analytics.selectors import RUN_EXPECTED_WITHIN
from tests.analytics.test_reconciliation_incremental import after_import, imported

PAGE = "/analytics/reconciliation/"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "findings-freshness"}
UPDATING = "are being reconciled"


def _reconciled_long_ago(cast, sales) -> timezone.datetime:
    """Partner A's January sales, reconciled in full two hours ago."""
    imported(sales, cast.partner_a, [(date(2026, 1, 20), "SW-24", 1200, "Cedar Atlas Foods")])
    reconcile_sales(partner_ids=None)
    earlier = timezone.now() - timedelta(hours=2)
    ReconciledPartner.objects.update(reconciled_at=earlier, findings_at=earlier)
    return earlier


def _new_month(cast, sales, partner=None) -> None:
    imported(
        sales,
        partner or cast.partner_a,
        [(date(2026, 3, 2), "SW-48", 1000, "Orchard Lane Clinic")],
        new_upload=True,
    )


def _as_of(when, zone: str = "UTC") -> str:
    with timezone.override(zone):
        return f"Findings as of {date_filter(timezone.localtime(when), 'DATETIME_FORMAT')}"


def test_it_names_the_partner_being_reconciled_and_polls_until_the_run_is_done(
    cast, sales, client_for, django_assert_max_num_queries
):
    earlier = _reconciled_long_ago(cast, sales)
    _new_month(cast, sales)
    client = client_for(cast.cm_a)

    page = client.get(PAGE, {"status": "open"}).content.decode()
    assert "New sales of Ardent Systems are being reconciled." in page
    assert 'hx-trigger="every 2s"' in page
    assert _as_of(earlier) in page

    # The element's poll answers with that element only, still polling, and reads no
    # finding nor count (every 2 s for each open page): the domain, session, user, partner
    # filter, then three small queries (each with its search_path).
    with django_assert_max_num_queries(14) as queries:
        poll = client.get(PAGE, {"status": "open"}, **POLL).content.decode()
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "analytics_reconciliationfinding" not in read and "analytics_findingcount" not in read
    assert poll.lstrip().startswith('<div id="findings-freshness"')
    assert UPDATING in poll and 'hx-trigger="every 2s"' in poll
    assert "finding-counts" not in poll and "<table" not in poll

    after_import(cast.partner_a)  # the incremental run the import queued

    done = client.get(PAGE, {"status": "open"}, **POLL).content.decode()
    findings_at = ReconciledPartner.objects.get(partner_id=cast.partner_a.pk).findings_at
    assert findings_at > earlier + timedelta(hours=1)
    assert UPDATING not in done and "every 2s" not in done
    assert _as_of(findings_at) in done and _as_of(earlier) not in done
    # ... and reloads the page's body, filters kept, to show the new findings and counts.
    assert (
        'hx-get="/analytics/reconciliation/?status=open" hx-trigger="load"'
        ' hx-target="#analytics-body"' in done
    )
    body = client.get(
        PAGE, {"status": "open"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="analytics-body"
    ).content.decode()
    assert "Orchard Lane Clinic" in body and "finding-counts" in body
    assert _as_of(findings_at) in body and UPDATING not in body


def test_an_incremental_run_moves_findings_as_of_but_not_the_last_full_run(cast, sales):
    earlier = _reconciled_long_ago(cast, sales)
    _new_month(cast, sales)

    after_import(cast.partner_a)

    row = ReconciledPartner.objects.get(partner_id=cast.partner_a.pk)
    assert row.reconciled_at == earlier
    assert row.findings_at > earlier + timedelta(hours=1)
    assert not ReconciliationChange.objects.exists()


def test_a_cm_sees_only_their_partners_waiting_and_a_vendor_admin_every_one(
    cast, sales, client_for
):
    _reconciled_long_ago(cast, sales)
    _new_month(cast, sales)

    theirs = client_for(cast.cm_a).get(PAGE).content.decode()
    others = client_for(cast.cm_b).get(PAGE).content.decode()
    admin = client_for(cast.vendor_admin).get(PAGE).content.decode()
    other_scorecard = client_for(cast.cm_b).get(f"/analytics/partners/{cast.partner_b.pk}/")

    assert "New sales of Ardent Systems are being reconciled." in theirs
    assert "Ardent Systems" in admin and UPDATING in admin
    assert UPDATING not in others and "every 2s" not in others
    assert "Ardent" not in other_scorecard.content.decode()
    # A partner filter narrows it to that partner.
    filtered = client_for(cast.vendor_admin).get(PAGE, {"partner": cast.partner_b.pk})
    assert UPDATING not in filtered.content.decode()


def test_the_scorecard_says_so_for_its_partner_and_the_portal_never_does(cast, sales, client_for):
    earlier = _reconciled_long_ago(cast, sales)
    _new_month(cast, sales)
    url = f"/analytics/partners/{cast.partner_a.pk}/"
    client = client_for(cast.cm_a)

    page = client.get(url).content.decode()
    poll = client.get(url, **POLL).content.decode()
    portal = client_for(cast.partner_a_admin).get("/analytics/my/").content.decode()

    assert "New sales of Ardent Systems are being reconciled." in page
    # One partner: one time, said once, as a sentence of its own.
    assert f"{_as_of(earlier)}</small>" in page and "latest update" not in page
    assert poll.lstrip().startswith('<div id="findings-freshness"') and UPDATING in poll
    assert "findings-freshness" not in portal and UPDATING not in portal
    # Another CM's partner's scorecard stays out of reach, poll or not.
    assert client_for(cast.cm_b).get(url, **POLL).status_code == 404


def test_many_partners_waiting_are_named_up_to_three_then_counted(cast, sales, client_for):
    _reconciled_long_ago(cast, sales)
    partners = [cast.partner_a, cast.partner_b] + [
        Partner.objects.create(name=f"Zephyr {n}", slug=f"zephyr-{n}", country="US")
        for n in range(3)
    ]
    for partner in partners:
        _new_month(cast, sales, partner)

    page = client_for(cast.vendor_admin).get(PAGE).content.decode()

    # The most recently changed first (each partner's notes were written after the last).
    assert "New sales of Zephyr 2, Zephyr 1, Zephyr 0 and 2 more partners are being" in page


def test_changes_no_run_will_take_wait_for_the_nightly_run_without_polling(cast, sales, client_for):
    _reconciled_long_ago(cast, sales)
    _new_month(cast, sales)
    ReconciliationChange.objects.update(
        noted_at=timezone.now() - RUN_EXPECTED_WITHIN - timedelta(minutes=1)
    )

    page = client_for(cast.cm_a).get(PAGE).content.decode()

    assert UPDATING not in page and "every 2s" not in page
    assert (
        "Sales of Ardent Systems changed since their findings were computed;"
        " the findings will be updated at the nightly run." in page
    )


def test_it_speaks_the_readers_language_in_their_time_zone(cast, sales, client_for):
    earlier = _reconciled_long_ago(cast, sales)
    _new_month(cast, sales)
    cast.cm_a.language, cast.cm_a.time_zone = "vi", "Asia/Ho_Chi_Minh"
    cast.cm_a.save(update_fields=["language", "time_zone"])

    page = client_for(cast.cm_a).get(PAGE).content.decode()

    with translation.override("vi"), timezone.override("Asia/Ho_Chi_Minh"):
        when = date_filter(timezone.localtime(earlier), "DATETIME_FORMAT")
    assert f"Các phát hiện đối chiếu tính đến {when}" in page
    assert "Doanh số mới của Ardent Systems đang được đối chiếu." in page
