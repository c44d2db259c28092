"""The CM workspace: portfolio of own partners and the queue of waiting work."""

import re

from channels import queue
from channels.queue import QueueItem
from prm.core.extensions import registry
from tests.partners.helpers import make_application, make_partner, queries_for


def test_it_shows_a_cm_only_their_partners(cast, acme, client_for):
    page = client_for(cast.cm_a).get("/workspace/").content.decode()
    assert "Ardent Systems" in page and "Bergmann" not in page


def test_it_queues_applications_waiting_on_the_cm(cast, acme, client_for):
    make_application(company_name="Queued For A", channel_manager=cast.cm_a)
    make_application(company_name="Queued For B", channel_manager=cast.cm_b)
    make_application(company_name="Reviewed Already", channel_manager=cast.cm_a, status="approved")
    page = client_for(cast.cm_a).get("/workspace/").content.decode()
    assert "Queued For A" in page
    assert "Queued For B" not in page and "Reviewed Already" not in page
    assert "Queued For B" in client_for(cast.vendor_admin).get("/workspace/").content.decode()


def test_it_merges_items_from_sources_other_apps_register(cast, acme, client_for, monkeypatch):
    from django.utils import timezone

    def deals_source(user, *, limit):
        item = QueueItem(
            kind="Deal", title="Deal to review", url="/deals/1/", waiting_since=timezone.now()
        )
        return ([item] if limit else []), 1

    monkeypatch.setattr(registry, "_queue_sources", dict(registry._queue_sources))
    registry.add_queue_source("test-deals", deals_source)
    page = client_for(cast.cm_a).get("/workspace/").content.decode()
    assert "Deal to review" in page
    assert queue.queue_count(cast.cm_a) >= 1


def test_it_keeps_a_constant_number_of_queries_as_partners_and_applications_grow(
    cast, acme, client_for, django_assert_max_num_queries
):
    client = client_for(cast.cm_a)
    make_application(channel_manager=cast.cm_a)
    before = queries_for(client, "/workspace/")
    for _ in range(10):
        make_partner(channel_manager=cast.cm_a)
        make_application(channel_manager=cast.cm_a)
    with django_assert_max_num_queries(before):
        assert queries_for(client, "/workspace/") == before


def _users_per_partner(page: str) -> dict[str, str]:
    """The users column of each partner's row, by partner name."""
    rows = re.findall(
        r"<tr>\s*<td><a href=[^>]+>([^<]+)</a>.*?<td class=\"num\">([^<]*)</td>", page, re.S
    )
    return dict(rows)


def test_the_workspace_and_the_directory_count_each_partners_users(cast, acme, client_for):
    make_partner(name="Nobody Yet Ltd", slug="nobody-yet", channel_manager=cast.cm_a)
    client = client_for(cast.vendor_admin)
    for url in ("/workspace/", "/partners/"):
        users = _users_per_partner(client.get(url).content.decode())
        assert users["Ardent Systems"] == "3", url  # its admin and two reps
        assert users["Bergmann IT GmbH"] == "2", url
        assert users["Nobody Yet Ltd"] == "0", url
