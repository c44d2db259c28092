from django.urls import path

from channels import views

app_name = "channels"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("territories/", views.territories, name="territories"),
    path("territories/new/", views.territory_create, name="territory_create"),
    path("reassign/", views.reassign, name="reassign"),
    path("announcements/", views.announcements, name="announcements"),
]
