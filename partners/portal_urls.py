"""The partner portal: what partner admins and reps see on the vendor's host."""

from django.urls import path

from partners import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.home, name="home"),
]
