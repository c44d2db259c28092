"""Figures on the partner portal follow the reader's language: grouped and with the
decimal mark of English or Vietnamese."""

from django.utils import timezone

from partners.models import Partner, Tier
from reporting.analytics import services
from reporting.analytics.selectors import add_months, month_start


def _portal_with_sales(cast, client_for, sales, language: str) -> str:
    registered = Tier.objects.create(name="Registered", rank=1, discount_percent=5)
    Tier.objects.create(name="Platinum", rank=2, min_yearly_sales=2_500_000, discount_percent=30)
    Partner.objects.filter(pk=cast.partner_a.pk).update(tier=registered)
    month = add_months(month_start(timezone.localdate()), -1)
    sales.add(cast.partner_a, month, "SW-24", 1, "1540105.79")
    services.refresh_sales_summaries()
    client = client_for(cast.partner_a_admin)
    client.post("/i18n/setlang/", {"language": language, "next": "/portal/"})
    return client.get("/portal/").content.decode()


def test_it_groups_portal_figures_the_english_way(cast, client_for, sales, products):
    page = _portal_with_sales(cast, client_for, sales, "en")
    assert "1,540,105.79 / 2,500,000 USD" in page


def test_it_groups_portal_figures_the_vietnamese_way(cast, client_for, sales, products):
    page = _portal_with_sales(cast, client_for, sales, "vi")
    assert "1.540.105,79 / 2.500.000 USD" in page
