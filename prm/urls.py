"""URLs of a vendor's host: the vendor UI and the partner portal."""

from django.contrib import admin
from django.urls import include, path

from prm.accounts.views import set_language
from prm.api_v1 import api
from prm.core import views as core_views

urlpatterns = [
    path("", include("prm.accounts.urls")),
    # Before Django's own: saves a logged-in user's choice on the account.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", core_views.health, name="health"),
    path("admin/", admin.site.urls),
    path("portal/", include("partners.portal_urls")),
    path("partners/", include("partners.urls")),
    path("workspace/", include("channels.urls")),
    path("deals/", include("deals.urls")),
    path("reports/", include("reporting.urls")),
    path("analytics/", include("reporting.analytics.urls")),
    path("api/v1/", api.urls),
    path("settings/webhooks/", include("prm.webhooks.urls")),
    path("quality/", include("reporting.quality.urls")),
]

# Plain error pages; a database outage answers 503 "temporarily unavailable".
handler500 = "prm.core.errors.server_error"
