from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.upload_list, name="uploads"),
    path("export.<slug:fmt>", views.upload_export, name="export"),
    path("upload/", views.upload_create, name="upload"),
    path("<int:pk>/", views.upload_detail, name="detail"),
    path("<int:pk>/progress/", views.upload_progress, name="progress"),
    path("<int:pk>/mapping/", views.upload_mapping, name="mapping"),
    path("<int:pk>/reprocess/", views.upload_reprocess, name="reprocess"),
    path("<int:pk>/errors.csv", views.upload_errors, name="errors"),
    path("<int:pk>/withdraw/", views.upload_withdraw, name="withdraw"),
    path("aliases/", views.alias_list, name="aliases"),
    path("aliases/<int:pk>/delete/", views.alias_delete, name="alias_delete"),
]
