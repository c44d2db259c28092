"""URLs of the public host: the landing page and the platform operator's admin."""

from django.contrib import admin
from django.urls import include, path

from prm.accounts.views import set_language
from prm.core import views as core_views

urlpatterns = [
    path("", core_views.landing, name="landing"),
    # Before Django's own: saves a logged-in user's choice on the account.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", core_views.health, name="health"),
    path("admin/", admin.site.urls),
]

# Plain error pages; a database outage answers 503 "temporarily unavailable".
handler500 = "prm.core.errors.server_error"
