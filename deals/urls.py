"""Deal registration pages (partner portal and vendor review) under /deals/."""

from django.urls import path

from deals import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("export.<slug:fmt>", views.deal_export, name="export"),
    path("new/", views.deal_create, name="create"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/approve/", views.deal_bulk_approve, name="bulk_approve"),
    path("notifications/", views.notification_list, name="notifications"),
    path("<int:pk>/", views.deal_detail, name="detail"),
    path("<int:pk>/edit/", views.deal_edit, name="edit"),
    path("<int:pk>/submit/", views.deal_submit, name="submit"),
    path("<int:pk>/close/", views.deal_close, name="close"),
    path("<int:pk>/extension/", views.deal_request_extension, name="request_extension"),
    path("<int:pk>/decide/", views.deal_decide, name="decide"),
    path("<int:pk>/extension/decide/", views.deal_decide_extension, name="decide_extension"),
    path("<int:pk>/conflicts/check/", views.deal_check_conflicts, name="check_conflicts"),
]
