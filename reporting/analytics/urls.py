"""Analytics pages under /analytics/: vendor dashboards and the partner's own scorecard."""

from django.urls import path

from reporting.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("health/", views.health, name="health"),
    path("partners/<int:pk>/", views.scorecard, name="scorecard"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/export.<slug:fmt>", views.findings_export, name="findings_export"),
    path("reconciliation/<int:pk>/decide/", views.finding_decide, name="finding_decide"),
    path("rates/", views.rates, name="rates"),
    path("rates/new/", views.rate_create, name="rate_create"),
    path("rates/import/", views.rates_import, name="rates_import"),
    path("rates/<int:pk>/", views.rate_edit, name="rate_edit"),
    path("rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
    path("export/<slug:table>.<slug:fmt>", views.export, name="export"),
    path("my/", views.my_scorecard, name="my_scorecard"),
    path("my/export/<slug:table>.<slug:fmt>", views.my_export, name="my_export"),
]
