"""API test fixtures: uploaded files go to a folder of the test, not the developer's media/;
partner B's EUR deals have a rate to be priced with."""

from datetime import date

import pytest

from tests.deals.conftest import EUR_IN_USD
from tests.reporting.conftest import private_media  # noqa: F401 - autouse fixture, reused


@pytest.fixture(autouse=True)
def eur_rate(request):
    """Partner B reports in EUR and acme's catalogue is in USD: deals registered for it are
    priced through a rate, so every API test inside acme has one (as the deal tests do)."""
    if "acme" not in request.fixturenames:
        return
    request.getfixturevalue("acme")
    from reporting.analytics.models import ExchangeRate

    ExchangeRate.objects.get_or_create(
        currency="EUR",
        quote_currency="USD",
        valid_from=date(2020, 1, 1),
        defaults={"rate": EUR_IN_USD},
    )
