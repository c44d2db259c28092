"""Progress toward the next tier, from certified reps and whatever sales sources exist."""

from datetime import date
from decimal import Decimal

import pytest

from partners import tiers
from partners.models import Membership, Partner
from partners.tiers import tier_progress
from prm.core.extensions import registry
from tests.partners.helpers import make_tiers


@pytest.fixture
def no_sales_source(monkeypatch):
    """As before any app reports sales (reporting registers a real source at start-up)."""
    monkeypatch.setattr(registry, "_sales_sources", {})


@pytest.fixture
def sales_source(monkeypatch):
    """A fake yearly-sales source registered the way reporting registers its own."""
    figures: dict[int, Decimal] = {}

    def source(partner_ids, since):
        assert isinstance(since, date)
        return {pid: amount for pid, amount in figures.items() if pid in partner_ids}

    monkeypatch.setattr(registry, "_sales_sources", {})
    registry.add_sales_source("fake", source)
    return figures


def test_it_shows_sales_as_unknown_until_an_app_reports_them(cast, acme, no_sales_source):
    registered, silver, _gold = make_tiers()
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    partner.tier = registered
    progress = tier_progress(partner)
    assert progress.current == registered and progress.next == silver
    assert progress.sales is None and progress.sales_percent is None
    assert progress.reps_needed == 2


def test_it_counts_certified_active_reps_toward_the_next_tier(cast, acme):
    make_tiers()
    Membership.objects.filter(user__in=[cast.rep_a1, cast.rep_a2]).update(
        certified_on=date(2026, 1, 5)
    )
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    progress = tier_progress(partner)
    assert progress.next.name == "Registered"
    partner.tier = progress.next
    progress = tier_progress(partner)
    assert progress.certified_reps == 2 and progress.reps_needed == 0
    assert progress.reps_percent == 100


def test_it_adds_up_sales_from_registered_sources(cast, acme, sales_source):
    registered, silver, _gold = make_tiers()
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    partner.tier = registered
    sales_source[partner.pk] = Decimal("40000")
    progress = tier_progress(partner)
    assert progress.sales == Decimal("40000")
    assert progress.sales_needed == Decimal("60000")
    assert progress.sales_percent == 40
    assert not progress.qualifies_for_next


def test_it_says_when_there_is_no_higher_tier(cast, acme):
    _registered, _silver, gold = make_tiers()
    partner = Partner.objects.get(pk=cast.partner_a.pk)
    partner.tier = gold
    progress = tier_progress(partner)
    assert progress.next is None and progress.reps_needed == 0


def test_it_queues_partners_whose_figures_earn_a_better_tier(cast, acme, client_for, sales_source):
    registered, silver, _gold = make_tiers()
    Partner.objects.filter(pk__in=[cast.partner_a.pk, cast.partner_b.pk]).update(tier=registered)
    Membership.objects.filter(user__in=[cast.rep_a1, cast.rep_a2]).update(
        certified_on=date(2026, 1, 5)
    )
    sales_source[cast.partner_a.pk] = Decimal("150000")  # Silver needs 100k and 2 reps
    sales_source[cast.partner_b.pk] = Decimal("900000")  # ...but B has no certified reps
    items, total = tiers.tier_upgrades_waiting_on(cast.vendor_admin)
    assert total == 1 and items[0].title == "Ardent Systems"
    assert "Silver" in items[0].detail
    assert tiers.tier_upgrades_waiting_on(cast.cm_b) == ([], 0)
    assert "qualifies for Silver" in client_for(cast.cm_a).get("/workspace/").content.decode()
