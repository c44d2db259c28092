from django.urls import path

from reporting.quality import views

app_name = "quality"

urlpatterns = [
    path("partners/<int:pk>/", views.partner_quality, name="partner"),
    path("partners/<int:pk>/nothing-sold/", views.nothing_sold, name="nothing_sold"),
    path("partners/<int:pk>/cadence/", views.cadence_edit, name="cadence"),
    path("cadence/", views.programme_cadence, name="programme_cadence"),
    path("uploads/<int:pk>/repeats/", views.repeats_confirm, name="repeats"),
    path("customers/review/", views.customer_review, name="customer_review"),
    path("customers/review/<int:pk>/", views.customer_decide, name="customer_decide"),
]
