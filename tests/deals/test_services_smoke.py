from deals.models import DealStatus


def test_it_registers_and_submits_a_deal(cast, register):
    deal = register(cast.rep_a1)
    assert deal.status == DealStatus.SUBMITTED
    assert deal.expected_value == 2 * 1200 + 2 * 2100
