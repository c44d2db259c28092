"""Vendor-side partner directory, applications, agreement and programme tiers, plus the
public pages of the vendor host (apply, accept an invitation)."""

from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("export.<slug:fmt>", views.partner_export, name="export"),
    path("<int:pk>/", views.partner_detail, name="detail"),
    path("<int:pk>/edit/", views.partner_edit, name="edit"),
    path("<int:pk>/status/", views.partner_status, name="status"),
    path("<int:pk>/assign/", views.partner_assign, name="assign"),
    path("<int:pk>/tier/", views.partner_tier, name="tier"),
    path("<int:pk>/invite/", views.partner_invite, name="invite"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application_approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
    path(
        "applications/<int:pk>/refer/<int:partner_pk>/",
        views.application_refer,
        name="application_refer",
    ),
    path("agreement/", views.agreements, name="agreements"),
    path("tiers/", views.tier_list, name="tiers"),
    path("tiers/new/", views.tier_create, name="tier_create"),
    path("tiers/<int:pk>/", views.tier_edit, name="tier_edit"),
    path("tiers/<int:pk>/delete/", views.tier_delete, name="tier_delete"),
    # Public (no login): the "become a partner" page and invitation links.
    path("apply/", views.apply, name="apply"),
    path("apply/thanks/", views.apply_done, name="apply_done"),
    path("invitation/<int:pk>/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
