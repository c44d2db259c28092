"""Keeping a copy of the sales lines through the API: lines name their upload, the
`upload` filter answers exactly its lines, and the webhooks tell a copy which lines went
(`upload.withdrawn`, and `upload.imported` of a report processed again).

Imports run through the real pipeline (`upload_receive` + `upload_process`); the events
are the deliveries the withdrawal and the imports record, whose bodies the worker posts
(tests/reporting/test_withdraw_worker.py posts one to a receiver).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from deals.models import Product
from prm.accounts.services import api_key_create
from prm.webhooks import services as webhooks
from prm.webhooks.models import Delivery
from reporting import services
from reporting.models import SalesLine, Upload, UploadStatus
from tests.api.support import with_key
from tests.conftest import TenantClient, host_of

HEADER = b"invoice_number,invoice_date,vendor_sku,quantity,unit_price,currency\n"


def _imported(cast, name: str, rows: list[str], held: int = 0) -> Upload:
    Product.objects.get_or_create(vendor_sku="MR-SW", defaults={"name": "Switch", "list_price": 1})
    content = HEADER + "".join(f"{row}\n" for row in rows).encode()
    upload = services.upload_receive(
        user=cast.partner_a_admin, uploaded_file=SimpleUploadedFile(name, content)
    )
    services.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == UploadStatus.DONE, upload.message
    assert upload.line_count == len(rows) - held, (
        upload.line_count,
        upload.error_rows,
        upload.message,
    )
    return upload


def _api(cast):
    _row, key = api_key_create(user=cast.vendor_admin, name="mirror")
    return with_key(TenantClient(host_of(cast.acme)), key)


def _pages(api, query: str) -> list[dict]:
    """Every line the query answers, following `next`, two lines a page."""
    lines, url = [], f"/api/v1/sales-lines/?limit=2&{query}"
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.content
        lines += page.json()["results"]
        url = page.json()["next"]
    return lines


def _endpoint(cast, events: list[str]):
    return webhooks.endpoint_create(
        user=cast.vendor_admin, url="http://127.0.0.1:1/", events=events
    )


def test_a_refused_or_rolled_back_withdrawal_sends_nothing(cast, acme, private_media):
    endpoint = _endpoint(cast, ["upload.withdrawn"])
    upload = _imported(cast, "wrong.csv", ["RB-1,2026-09-01,MR-SW,1,10.00,USD"])

    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.QUEUED)
    with pytest.raises(services.UploadBusy):
        services.upload_withdraw(user=cast.partner_a_admin, upload_id=upload.pk)
    assert not endpoint.deliveries.exists(), "refused while importing: nothing is sent"

    Upload.objects.filter(pk=upload.pk).update(status=UploadStatus.DONE)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.upload_withdraw(user=cast.partner_a_admin, upload_id=upload.pk)
        raise RuntimeError("something after the withdrawal failed")
    assert Upload.objects.filter(pk=upload.pk).exists()
    assert not endpoint.deliveries.exists(), "rolled back with the withdrawal"

    services.upload_withdraw(user=cast.partner_a_admin, upload_id=upload.pk)
    [delivery] = endpoint.deliveries.all()
    assert delivery.payload["type"] == "upload.withdrawn"
    assert delivery.payload["data"]["id"] == upload.pk
    assert delivery.payload["data"]["line_count"] == 1


def test_lines_name_their_upload_and_the_upload_filter_answers_exactly_its_lines(
    cast, acme, private_media
):
    first = _imported(
        cast, "first.csv", [f"F-{i},2026-09-0{i},MR-SW,1,10.00,USD" for i in (1, 2, 3)]
    )
    second = _imported(
        cast, "second.csv", [f"S-{i},2026-09-0{i},MR-SW,2,10.00,USD" for i in (1, 2)]
    )
    api = _api(cast)

    everything = _pages(api, "")
    assert {line["upload"] for line in everything} == {first.pk, second.pk}
    for upload in (first, second):
        expected = set(SalesLine.objects.filter(upload=upload).values_list("pk", flat=True))
        answered = _pages(api, f"upload={upload.pk}")
        assert {line["id"] for line in answered} == expected
        assert {line["upload"] for line in answered} == {upload.pk}
    assert _pages(api, "upload=999999") == []
    last = max(line["id"] for line in everything)
    assert _pages(api, f"after_id={last}") == []
    assert [line["id"] for line in _pages(api, f"after_id={last - 1}")] == [last]


class Mirror:
    """What docs/api.md's recipe tells an integration to do, and nothing else."""

    def __init__(self, api):
        self.api = api
        self.lines: dict[int, dict] = {}
        self.last_id = 0
        #: Per upload, the lowest id of its lines still current (withdrawn: none is).
        self.floor: dict[int, float] = {}

    def sync(self) -> None:
        self.store(self.read())

    def read(self) -> list[dict]:
        return _pages(self.api, f"after_id={self.last_id}")

    def store(self, lines: list[dict]) -> None:
        for line in lines:
            self.last_id = max(self.last_id, line["id"])
            if line["id"] >= self.floor.get(line["upload"], 0):
                self.lines[line["id"]] = line

    def on_event(self, body: dict) -> None:
        data = body["data"]
        if body["type"] == "upload.withdrawn":
            self._drop(data["id"], below=float("inf"))
        elif body["type"] == "upload.imported":
            # No line stored (every row failed): all the lines read so far are old.
            first = data["first_line_id"]
            self._drop(data["id"], below=self.last_id + 1 if first is None else first)

    def _drop(self, upload_id: int, below: float) -> None:
        self.floor[upload_id] = max(self.floor.get(upload_id, 0), below)
        for pk in [pk for pk, line in self.lines.items() if line["upload"] == upload_id]:
            if pk < self.floor[upload_id]:
                del self.lines[pk]


@pytest.mark.parametrize("order", ["lines-first", "events-first", "stale-page"])
def test_a_copy_kept_by_the_recipe_equals_the_api_after_a_withdrawal_and_a_reimport(
    cast, acme, private_media, order
):
    """One report is withdrawn (a line another report held as its repeat counts again),
    another processed again (its lines replaced, new ids): the copy follows the cursor,
    applies the events, and holds exactly the API's lines, whichever it learns first,
    even from a page it read before the changes and stores after their events."""
    endpoint = _endpoint(cast, ["upload.imported", "upload.withdrawn"])
    wrong = _imported(
        cast, "wrong.csv", [f"W-{i},2026-08-0{i},MR-SW,1,10.00,USD" for i in (1, 2, 3)]
    )
    again = _imported(cast, "again.csv", [f"A-{i},2026-09-0{i},MR-SW,3,10.00,USD" for i in (1, 2)])
    repeats = _imported(
        cast,
        "repeats.csv",
        ["W-1,2026-08-01,MR-SW,1,10.00,USD", "R-1,2026-10-01,MR-SW,1,10.00,USD"],
        held=1,  # W-1, a repeat of the wrong report's line
    )
    mirror = Mirror(_api(cast))
    for delivery in endpoint.deliveries.order_by("pk"):
        mirror.on_event(delivery.payload)
    stale = mirror.read()
    assert len(stale) == 3 + 2 + 1
    if order != "stale-page":
        mirror.store(stale)
    seen = set(Delivery.objects.values_list("pk", flat=True))

    services.upload_withdraw(user=cast.partner_a_admin, upload_id=wrong.pk)
    services.upload_reprocess(user=cast.partner_a_admin, upload_id=again.pk)
    services.upload_process(upload_id=again.pk)

    events = [d.payload for d in endpoint.deliveries.exclude(pk__in=seen).order_by("pk")]
    assert [e["type"] for e in events] == ["upload.withdrawn", "upload.imported"]
    assert events[0]["data"]["id"] == wrong.pk and events[0]["data"]["line_count"] == 3
    assert events[1]["data"]["id"] == again.pk and events[1]["data"]["lines_replaced"] == 2
    if order == "lines-first":
        mirror.sync()
    for event in events:
        mirror.on_event(event)
    if order == "stale-page":
        mirror.store(stale)
    mirror.sync()

    current = {line["id"]: line for line in _pages(mirror.api, "")}
    assert mirror.lines == current
    assert sorted(line["invoice_number"] for line in current.values()) == [
        "A-1", "A-2", "R-1", "W-1"
    ]  # fmt: skip
    assert {line["upload"] for line in current.values() if line["invoice_number"] == "W-1"} == {
        repeats.pk
    }
